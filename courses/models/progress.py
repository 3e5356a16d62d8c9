"""Enrolment and progress: the record that completion, certificates and reports stand on."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnrolmentStatus(models.TextChoices):
    """Where a learner stands in a course, as staff and managers see it (most final first:
    left, completed, overdue, in progress, not started)."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    COMPLETED = "completed", _("Completed")
    LEFT = "left", _("Left the course")


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(unenrolled_at__isnull=True)

    @staticmethod
    def status_case(now=None):
        """An expression giving each enrolment's EnrolmentStatus (agrees with
        `Enrolment.status()`)."""
        return Case(
            When(unenrolled_at__isnull=False, then=Value(EnrolmentStatus.LEFT)),
            When(completed_at__isnull=False, then=Value(EnrolmentStatus.COMPLETED)),
            When(due_at__lt=now or timezone.now(), then=Value(EnrolmentStatus.OVERDUE)),
            When(lessons_completed__gt=0, then=Value(EnrolmentStatus.IN_PROGRESS)),
            default=Value(EnrolmentStatus.NOT_STARTED),
            output_field=models.CharField(),
        )

    def with_status(self, now=None):
        """Annotate `current_status` (an EnrolmentStatus value), to filter and sort by."""
        return self.annotate(current_status=self.status_case(now))


class Enrolment(models.Model):
    """A learner taking a course, once per certification cycle. Unenrolling keeps the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="enrolments"
    )
    cycle = models.PositiveSmallIntegerField(
        _("cycle"), default=1, help_text=_("1 for the first time; recertification adds one.")
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    unenrolled_at = models.DateTimeField(_("unenrolled"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    cohort = models.ForeignKey(
        "courses.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
        verbose_name=_("cohort"),
        help_text=_("The cohort that enrolled the learner, if any; it sets the due date."),
    )
    jurisdiction = models.ForeignKey(
        "courses.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
        verbose_name=_("where they work"),
        help_text=_("The jurisdiction whose duties the lessons show. Empty: general."),
    )
    # Stored progress, kept current on each event so listings need no per-lesson queries.
    lessons_completed = models.PositiveIntegerField(_("lessons completed"), default=0)
    lessons_total = models.PositiveIntegerField(_("lessons in the course"), default=0)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    next_lesson = models.ForeignKey(
        "courses.LessonPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("next lesson"),
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    completion_emailed_at = models.DateTimeField(
        _("completion email sent"),
        null=True,
        blank=True,
        help_text=_("When the learner was emailed that they completed this cycle (sent once)."),
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "cycle"], name="courses_enrolment_unique_cycle"
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="courses_enrolment_percent_range"
            ),
        ]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self):
        return f"{self.user} in {self.course} (cycle {self.cycle})"

    @property
    def is_active(self):
        return self.unenrolled_at is None

    def status(self, now=None):
        """The EnrolmentStatus (agrees with `Enrolment.objects.with_status()`)."""
        if self.unenrolled_at is not None:
            return EnrolmentStatus.LEFT
        if self.completed_at is not None:
            return EnrolmentStatus.COMPLETED
        if self.due_at is not None and self.due_at < (now or timezone.now()):
            return EnrolmentStatus.OVERDUE
        if self.lessons_completed:
            return EnrolmentStatus.IN_PROGRESS
        return EnrolmentStatus.NOT_STARTED


class LessonProgress(models.Model):
    """One learner's record of one lesson in one enrolment: opened, completed, time spent."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons")
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress_records"
    )
    first_opened_at = models.DateTimeField(_("first opened"), auto_now_add=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(
        _("time spent (seconds)"),
        default=0,
        help_text=_("Coarse: time between opening the lesson and completing it, capped."),
    )

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="courses_lessonprogress_unique"
            )
        ]

    def __str__(self):
        return f"{self.enrolment} / lesson {self.lesson_id}"
