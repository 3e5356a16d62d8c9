"""Partner organisations, their cohorts of learners, and invitations to join them."""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from courses import codes
from courses.identity import email_verified

INVITE_CODE_LENGTH = 12  # 30**12 ≈ 59 bits: enough for a link that can be rotated
MAX_DUE_WITHIN_DAYS = 365


def end_of_day(day):
    """The last second of a day, in the site's time zone (what enrolments store)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def new_invite_code():
    """A new invitation code (the field's default; migrations name this function)."""
    return codes.new_code(INVITE_CODE_LENGTH)


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    POLICE = "police", _("Police force or academy")
    SCHOOL = "school", _("School or school district")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A partner (company, police academy, school district) whose staff take courses."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OTHER
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_organisations",
        verbose_name=_("managers"),
        help_text=_("People who may enrol staff and follow progress in this organisation only."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cohorts a user may follow: their organisations' cohorts; all, for staff with the
        view permission; none for anyone else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.has_perm("courses.view_cohort"):
            return self
        if not user.is_active or not email_verified(user):
            return self.none()  # a manager role takes effect once the address is verified
        return self.filter(organisation__managers=user)


class Cohort(models.Model):
    """A group of an organisation's staff taking the same courses by the same date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="cohorts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    courses = models.ManyToManyField(
        "courses.CoursePage",
        related_name="cohorts",
        verbose_name=_("courses"),
        help_text=_("Members are enrolled in each of these courses."),
    )
    jurisdiction = models.ForeignKey(
        "courses.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cohorts",
        verbose_name=_("where members work"),
        help_text=_(
            "Members who enrol through this cohort start with this jurisdiction (they can "
            "change it). Empty: general."
        ),
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    due_on = models.DateField(
        _("due"),
        null=True,
        blank=True,
        help_text=_(
            "A fixed date: members who have not completed by the end of this day are overdue. "
            "Leave empty for a relative due date or none."
        ),
    )
    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days of joining)"),
        null=True,
        blank=True,
        help_text=_(
            "A relative due date: each member has this many days (1 to 365) from the day they "
            "joined. Use either this or a fixed date, not both."
        ),
    )
    seat_limit = models.PositiveIntegerField(
        _("seat limit"),
        null=True,
        blank=True,
        help_text=_("Most members and pending invitations together. Empty: no limit."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive cohorts accept no new members.")
    )
    invite_code = models.CharField(
        _("invitation code"), max_length=INVITE_CODE_LENGTH, unique=True, default=new_invite_code
    )
    invite_enabled = models.BooleanField(
        _("invitation link enabled"),
        default=True,
        help_text=_("Switch off to stop anyone joining with the link or code."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="courses_cohort_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(due_on__gte=models.F("starts_on")),
                name="courses_cohort_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(due_within_days__isnull=True)
                | (
                    Q(due_on__isnull=True)
                    & Q(due_within_days__gte=1)
                    & Q(due_within_days__lte=MAX_DUE_WITHIN_DAYS)
                ),
                name="courses_cohort_due_fixed_or_relative",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.name}"

    @property
    def due_at(self):
        """The end of the fixed due day (None for relative or no due date)."""
        if self.due_on is None:
            return None
        return end_of_day(self.due_on)

    @property
    def is_relative(self):
        """Whether each member's due date counts from the day they joined."""
        return self.due_within_days is not None

    def due_at_for(self, joined_at):
        """A member's effective due date: the fixed date, or the end of the day N days after
        the day they joined (or accepted their invitation)."""
        if self.due_within_days is not None:
            joined = timezone.localdate(joined_at or timezone.now())
            return end_of_day(joined + timedelta(days=self.due_within_days))
        return self.due_at

    @property
    def due_label(self):
        """The due date in words: a date, "Within N days of joining", or "No due date"."""
        if self.due_within_days is not None:
            return ngettext(
                "Within %(days)s day of joining",
                "Within %(days)s days of joining",
                self.due_within_days,
            ) % {"days": self.due_within_days}
        if self.due_on is not None:
            return date_format(self.due_on, "j F Y")
        return gettext("No due date")

    def is_overdue(self, now=None):
        """Whether the fixed due date has passed (relative due dates are per member)."""
        due = self.due_at
        return due is not None and (now or timezone.now()) > due

    def rotate_invite_code(self):
        self.invite_code = new_invite_code()
        self.save(update_fields=["invite_code"])


class MembershipSource(models.TextChoices):
    LINK = "link", _("Invitation link or code")
    UPLOAD = "upload", _("Spreadsheet upload")
    MANUAL = "manual", _("Added by a manager")
    INVITATION = "invitation", _("Accepted an emailed invitation")


class CohortMembership(models.Model):
    """A learner in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    source = models.CharField(_("how they joined"), max_length=20, choices=MembershipSource.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("cohort membership")
        verbose_name_plural = _("cohort memberships")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="courses_membership_unique")
        ]

    def __str__(self):
        return f"{self.user} in {self.cohort}"

    @property
    def due_at(self):
        """This member's effective due date (the cohort's fixed date or relative to joining)."""
        return self.cohort.due_at_for(self.joined_at)


class CohortInvitationQuerySet(models.QuerySet):
    def pending(self):
        """Invitations still waiting for an answer: each holds a seat."""
        return self.filter(declined_at__isnull=True)


class CohortInvitation(models.Model):
    """An offer of a place, addressed to an email. Nobody joins a cohort because someone
    else typed their address: the person accepts or declines on My learning, once they have
    verified that address. A pending invitation holds a seat; a declined one stays so the
    manager sees the answer."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    declined_at = models.DateTimeField(
        _("declined"),
        null=True,
        blank=True,
        help_text=_("When the person declined. Declined invitations hold no seat."),
    )

    objects = CohortInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort invitation")
        verbose_name_plural = _("cohort invitations")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                "cohort", Lower("email"), name="courses_invitation_unique_email"
            )
        ]

    def __str__(self):
        return f"{self.email} invited to {self.cohort}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_pending(self):
        return self.declined_at is None


class DepartureKind(models.TextChoices):
    LEFT = "left", _("Left the cohort")
    REMOVED = "removed", _("Removed by a manager")


class CohortDeparture(models.Model):
    """Someone who was in a cohort and is no longer: they left it themselves, or a manager
    removed them. The manager sees who and when, nothing of their progress."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="departures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cohort_departures",
    )
    name = models.CharField(
        _("name"), max_length=300, help_text=_("The person's name when they left.")
    )
    left_at = models.DateTimeField(_("left"), default=timezone.now)
    kind = models.CharField(_("how"), max_length=10, choices=DepartureKind.choices)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("removed by"),
        help_text=_("The manager who removed them, if a manager did."),
    )

    class Meta:
        verbose_name = _("cohort departure")
        verbose_name_plural = _("cohort departures")
        ordering = ["-left_at"]

    def __str__(self):
        return f"{self.name} left {self.cohort}"

    @property
    def left_themselves(self):
        return self.kind == DepartureKind.LEFT
