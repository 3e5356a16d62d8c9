"""Cohort services: joining, bulk adding, invitations and removal, with seat limits that hold
under concurrent requests (the cohort row is locked while seats are counted)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import codes
from courses.learning import services as progress
from courses.models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    Enrolment,
    MembershipSource,
)
from courses.models.cohorts import INVITE_CODE_LENGTH

# Large lists are looked up in slices: SQLite and some drivers cap the parameters per query.
LOOKUP_BATCH = 900
# Invitation emails are queued in batches, so a worker never holds thousands in one task.
INVITATION_TASK_BATCH = 500

ADD = "add"  # has an account: becomes a member now
INVITE = "invite"  # no account yet: gets a pending invitation by email
ALREADY = "already"  # already a member, or already invited


class CohortError(Exception):
    """A join or upload that cannot go ahead; the message is shown to the person."""


class CohortClosed(CohortError):
    pass


class CohortFull(CohortError):
    pass


def normalise_invite_code(raw):
    """The stored form of a typed invitation code, or None when it cannot be one."""
    return codes.normalise_code(raw, INVITE_CODE_LENGTH)


def cohort_for_code(raw):
    """The cohort whose invitation link is switched on and has this code, or None (unknown,
    mistyped, replaced and switched-off codes all look the same)."""
    code = normalise_invite_code(raw)
    if code is None:
        return None
    return (
        Cohort.objects.filter(invite_code=code, invite_enabled=True)
        .select_related("organisation")
        .first()
    )


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
                existing.filter(Q(due_at__isnull=True) | Q(due_at__gt=due_at)).update(due_at=due_at)


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


@dataclass
class Plan:
    """What adding these emails would do, read without saving anything."""

    outcomes: dict = field(default_factory=dict)  # email -> ADD / INVITE / ALREADY
    users: dict = field(default_factory=dict)  # email -> user, for ADD
    converted: list = field(default_factory=list)  # invitation ids whose seat a member takes

    def count(self, outcome):
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def seats_needed(self):
        return self.count(ADD) + self.count(INVITE) - len(self.converted)


def _batches(items, size=LOOKUP_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_people(cohort, emails):
    """For each email (any case), whether it would be added, invited or is already there:
    the same decision add_people makes. A fixed number of queries per 900 emails."""
    emails = list(dict.fromkeys(email.strip().lower() for email in emails))
    users, member_emails, invited = {}, set(), {}
    for batch in _batches(emails):
        users.update(
            (user.email.lower(), user)
            for user in get_user_model().objects.filter(email__in=batch).only("id", "email")
        )
        member_emails.update(
            email.lower()
            for email in CohortMembership.objects.filter(
                cohort=cohort, user__email__in=batch
            ).values_list("user__email", flat=True)
        )
        invited.update(
            CohortInvitation.objects.filter(cohort=cohort, email__in=batch).values_list(
                "email", "pk"
            )
        )
    plan = Plan()
    for email in emails:
        if email in member_emails:
            plan.outcomes[email] = ALREADY
        elif email in users:
            plan.outcomes[email] = ADD
            plan.users[email] = users[email]
            if email in invited:
                plan.converted.append(invited[email])
        elif email in invited:
            plan.outcomes[email] = ALREADY
        else:
            plan.outcomes[email] = INVITE
    return plan


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
    plan = plan_people(cohort, names)
    result = AddResult()
    new_users, new_invites = [], []
    for email, outcome in plan.outcomes.items():
        if outcome == ALREADY:
            result.already.append(email)
        elif outcome == ADD:
            new_users.append(plan.users[email])
        else:
            new_invites.append(
                CohortInvitation(cohort=cohort, email=email, name=names[email], invited_by=added_by)
            )
    _check_seats(cohort, plan.seats_needed)
    for batch in _batches(plan.converted):
        CohortInvitation.objects.filter(pk__in=batch).delete()
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
        from courses.cohorts.tasks import send_cohort_invitations

        ids = [invitation.pk for invitation in result.invited]
        if any(pk is None for pk in ids):  # backends that don't return ids from bulk_create
            ids = []
            for batch in _batches([i.email for i in new_invites]):
                ids.extend(
                    CohortInvitation.objects.filter(cohort=cohort, email__in=batch).values_list(
                        "pk", flat=True
                    )
                )
        for batch in _batches(ids, INVITATION_TASK_BATCH):
            transaction.on_commit(lambda batch=batch: send_cohort_invitations.enqueue(batch))
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
