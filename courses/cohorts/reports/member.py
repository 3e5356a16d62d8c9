"""One member's page in the manager area: their progress in the cohort's courses only, and
only while they are a member (they accepted). Everyone else is shown by their invitation
state alone. A fixed number of queries per course, whatever the number of lessons or
attempts."""

from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.learning.services import format_duration
from courses.models import (
    Certificate,
    CertificateStatus,
    CohortDeparture,
    CohortInvitation,
    CohortMembership,
    Enrolment,
    LessonPage,
    LessonProgress,
)
from quizzes.models import Attempt

INVITED, DECLINED, LEFT, REMOVED = "invited", "declined", "left", "removed"
STATE_LABELS = {
    INVITED: _("Invited, not yet answered"),
    DECLINED: _("Declined or left"),
    LEFT: _("Declined or left"),
    REMOVED: _("Declined or left"),
}


@dataclass
class CourseDetail:
    """A course of the cohort as this member is doing it (current cycle)."""

    course: object
    enrolment: object = None
    lessons: list = field(default_factory=list)  # (lesson, completed_at, seconds)
    attempts: list = field(default_factory=list)  # Attempt rows, newest first
    certificate: object = None
    certificate_state: str = ""
    seconds: int = 0

    @property
    def time_on_task(self):
        return format_duration(self.seconds)

    @property
    def certificate_label(self):
        return CertificateStatus(self.certificate_state).label if self.certificate_state else ""


@dataclass
class Standing:
    """Someone who is not (or no longer) a member: what the manager may see of them."""

    state: str
    name: str
    email: str
    invited_at: object = None
    answered_at: object = None

    @property
    def label(self):
        return STATE_LABELS[self.state]


def membership_for(cohort, user_id):
    """The accepted membership, with the person, or None."""
    return (
        CohortMembership.objects.filter(cohort=cohort, user_id=user_id)
        .select_related("user")
        .first()
    )


def standing_for(cohort, user):
    """The invitation state of a person who is not a member: invited, declined, or left
    (with dates only), or None if they never had anything to do with this cohort."""
    departure = CohortDeparture.objects.filter(cohort=cohort, user=user).order_by("-left_at")
    departure = departure.first()
    invitation = CohortInvitation.objects.filter(cohort=cohort, email=user.email.lower()).first()
    name = (user.get_full_name() or "").strip()
    if departure is not None and (invitation is None or invitation.created_at < departure.left_at):
        state = LEFT if departure.left_themselves else REMOVED
        return Standing(state, departure.name, "", answered_at=departure.left_at)
    if invitation is None:
        return None
    if invitation.declined_at is not None:
        return Standing(
            DECLINED,
            invitation.name or name,
            invitation.email,
            invitation.created_at,
            invitation.declined_at,
        )
    return Standing(INVITED, invitation.name or name, invitation.email, invitation.created_at)


def member_courses(cohort, membership, now=None):
    """For each of the cohort's courses: the member's current enrolment, its lessons with
    completion dates and time spent, their quiz attempts in this cycle (scores, not answers)
    and their certificate. Five queries per course."""
    now = now or timezone.now()
    user = membership.user
    details = []
    for course in cohort.courses.order_by("title", "pk").only("id", "title", "path", "depth"):
        detail = CourseDetail(course=course)
        details.append(detail)
        detail.enrolment = (
            Enrolment.objects.active().filter(user=user, course=course).order_by("-cycle").first()
        )
        lessons = list(
            LessonPage.objects.live()
            .descendant_of(course)
            .order_by("path")
            .only("id", "title", "path", "depth", "quiz_id")
        )
        progress = {}
        if detail.enrolment is not None:
            progress = {
                row["lesson_id"]: row
                for row in LessonProgress.objects.filter(enrolment=detail.enrolment).values(
                    "lesson_id", "completed_at", "time_spent_seconds"
                )
            }
        for lesson in lessons:
            row = progress.get(lesson.pk, {})
            seconds = row.get("time_spent_seconds") or 0
            detail.seconds += seconds
            detail.lessons.append((lesson, row.get("completed_at"), seconds))
        quiz_ids = {lesson.quiz_id for lesson in lessons if lesson.quiz_id}
        if quiz_ids and detail.enrolment is not None:
            detail.attempts = list(
                Attempt.objects.filter(
                    user=user,
                    quiz_id__in=quiz_ids,
                    started_at__gte=detail.enrolment.enrolled_at,
                    submitted_at__isnull=False,
                )
                .select_related("quiz")
                .only(
                    "id",
                    "number",
                    "percent",
                    "passed",
                    "submitted_at",
                    "started_at",
                    "quiz__id",
                    "quiz__title",
                )
                .order_by("-submitted_at")
            )
        certificate = (
            Certificate.objects.filter(user=user, course=course)
            .annotate(state=Certificate.objects.status_case(now))
            .order_by(
                F("revoked_at").asc(nulls_first=True),
                F("expires_at").desc(nulls_first=True),
                "-issued_at",
            )
            .first()
        )
        if certificate is not None:
            detail.certificate = certificate
            detail.certificate_state = certificate.state
    return details
