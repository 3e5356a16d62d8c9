"""Cohort services: joining, bulk adding, invitations and removal, with seat limits that hold
under concurrent requests (the cohort row is locked while seats are counted)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import progress
from .models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    Enrolment,
    MembershipSource,
)


class CohortError(Exception):
    """A join or upload that cannot go ahead; the message is shown to the person."""


class CohortClosed(CohortError):
    pass


class CohortFull(CohortError):
    pass


def seats_taken(cohort):
    return cohort.memberships.count() + cohort.invitations.count()


def seats_left(cohort):
    if cohort.seat_limit is None:
        return None
    return max(cohort.seat_limit - seats_taken(cohort), 0)


def _locked(cohort):
    """The cohort row, locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway)."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _check_seats(cohort, needed):
    if cohort.seat_limit is None or needed <= 0:
        return
    available = cohort.seat_limit - seats_taken(cohort)
    if needed > available:
        raise CohortFull(
            _(
                "This cohort has %(available)s free places of %(limit)s and this would need "
                "%(needed)s. Ask the organisation's manager to add places."
            )
            % {"available": max(available, 0), "limit": cohort.seat_limit, "needed": needed}
        )


def enrol_members(cohort, users):
    """Enrol users in each of the cohort's courses, with the cohort's due date. Uses a fixed
    number of queries per course, whatever the number of users."""
    users = list(users)
    if not users:
        return
    due_at = cohort.due_at
    user_ids = [user.pk for user in users]
    for course in cohort.courses.all():
        lessons = progress.course_lessons(course)
        latest = {}
        for enrolment in Enrolment.objects.filter(course=course, user_id__in=user_ids).only(
            "id", "user_id", "cycle", "completed_at"
        ):
            if enrolment.user_id not in latest or enrolment.cycle > latest[enrolment.user_id].cycle:
                latest[enrolment.user_id] = enrolment
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    user_id=user_id,
                    course=course,
                    cycle=1,
                    cohort=cohort,
                    due_at=due_at,
                    lessons_total=len(lessons),
                    next_lesson=lessons[0] if lessons else None,
                )
                for user_id in user_ids
                if user_id not in latest
            ],
            ignore_conflicts=True,  # a learner enrolling themselves at the same moment
        )
        open_ids = [e.pk for e in latest.values() if e.completed_at is None]
        if open_ids:
            existing = Enrolment.objects.filter(pk__in=open_ids)
            existing.update(unenrolled_at=None)
            existing.filter(cohort__isnull=True).update(cohort=cohort)
            if due_at is not None:
                existing.filter(Q(due_at__isnull=True) | Q(due_at__gt=due_at)).update(
                    due_at=due_at
                )


@transaction.atomic
def join(cohort, user, source=MembershipSource.LINK, added_by=None):
    """Add one person to a cohort and enrol them. Returns (membership, created).
    Raises CohortClosed or CohortFull."""
    cohort = _locked(cohort)
    membership = CohortMembership.objects.filter(cohort=cohort, user=user).first()
    if membership is not None:
        enrol_members(cohort, [user])  # re-open an enrolment they may have left
        return membership, False
    if not cohort.is_active:
        raise CohortClosed(_("This cohort is closed to new members."))
    invitation = CohortInvitation.objects.filter(cohort=cohort, email__iexact=user.email).first()
    if invitation is None:
        _check_seats(cohort, 1)
    else:
        invitation.delete()  # its seat becomes the membership's
        source = MembershipSource.INVITATION if source == MembershipSource.LINK else source
    membership = CohortMembership.objects.create(
        cohort=cohort, user=user, source=source, added_by=added_by
    )
    enrol_members(cohort, [user])
    return membership, True


@dataclass
class AddResult:
    added: list = field(default_factory=list)  # users now members
    invited: list = field(default_factory=list)  # CohortInvitation rows created
    already: list = field(default_factory=list)  # emails already members or invited


@transaction.atomic
def add_people(cohort, people, added_by=None, source=MembershipSource.UPLOAD):
    """Add validated (email, name) pairs: people with an account become members, others get
    a pending invitation. All or nothing: raises CohortFull or CohortClosed and saves none."""
    cohort = _locked(cohort)
    if not cohort.is_active:
        raise CohortClosed(_("This cohort is closed to new members."))
    names = {}
    for email, name in people:
        names.setdefault(email.strip().lower(), name)
    emails = list(names)
    users = {
        user.email.lower(): user
        for user in get_user_model().objects.filter(email__in=emails).only("id", "email")
    }
    member_emails = {
        email.lower()
        for email in CohortMembership.objects.filter(
            cohort=cohort, user__email__in=emails
        ).values_list("user__email", flat=True)
    }
    invited = {
        invitation.email: invitation
        for invitation in CohortInvitation.objects.filter(cohort=cohort, email__in=emails)
    }
    result = AddResult()
    new_users, new_invites, converted = [], [], []
    for email in emails:
        if email in member_emails:
            result.already.append(email)
        elif email in users:
            new_users.append(users[email])
            if email in invited:
                converted.append(invited[email].pk)
        elif email in invited:
            result.already.append(email)
        else:
            new_invites.append(
                CohortInvitation(cohort=cohort, email=email, name=names[email], invited_by=added_by)
            )
    _check_seats(cohort, len(new_users) + len(new_invites) - len(converted))
    CohortInvitation.objects.filter(pk__in=converted).delete()
    now = timezone.now()
    CohortMembership.objects.bulk_create(
        [
            CohortMembership(
                cohort=cohort, user=user, source=source, added_by=added_by, joined_at=now
            )
            for user in new_users
        ]
    )
    result.added = new_users
    result.invited = CohortInvitation.objects.bulk_create(new_invites)
    enrol_members(cohort, new_users)
    if result.invited:
        from .tasks import send_cohort_invitations

        ids = [invitation.pk for invitation in result.invited]
        if any(pk is None for pk in ids):  # backends that don't return ids from bulk_create
            ids = list(
                CohortInvitation.objects.filter(
                    cohort=cohort, email__in=[i.email for i in new_invites]
                ).values_list("pk", flat=True)
            )
        transaction.on_commit(lambda: send_cohort_invitations.enqueue(ids))
    return result


@transaction.atomic
def remove_member(cohort, user):
    """Take a person out of a cohort. Their own progress and certificates stay theirs; the
    cohort's due date no longer applies to them."""
    deleted, _unused = CohortMembership.objects.filter(cohort=cohort, user=user).delete()
    Enrolment.objects.filter(user=user, cohort=cohort, completed_at__isnull=True).update(
        cohort=None, due_at=None
    )
    Enrolment.objects.filter(user=user, cohort=cohort).update(cohort=None)
    return bool(deleted)


def accept_invitations(user):
    """Turn pending invitations for this person's email into memberships (called when an
    account is created). Seats were held by the invitations, so none can be refused for that;
    a closed cohort keeps its promise too."""
    cohorts = Cohort.objects.filter(invitations__email=user.email.strip().lower())
    joined = []
    for cohort in cohorts:
        try:
            with transaction.atomic():
                locked = _locked(cohort)
                CohortInvitation.objects.filter(cohort=locked, email=user.email.lower()).delete()
                CohortMembership.objects.create(
                    cohort=locked, user=user, source=MembershipSource.INVITATION
                )
                enrol_members(locked, [user])
        except IntegrityError:
            continue  # already a member
        joined.append(cohort)
    return joined


def accept_invitations_on_signup(sender, instance, created, raw=False, **kwargs):
    """post_save of the user model: a new account with invitations joins those cohorts."""
    if created and not raw and instance.email:
        accept_invitations(instance)
