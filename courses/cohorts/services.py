"""Cohort services: joining, bulk adding, invitations and removal, with seat limits that hold
under concurrent requests (the cohort row is locked while seats are counted)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import CharField, Q, UUIDField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import codes
from courses.cohorts.reports import summary_cache
from courses.identity import email_verified
from courses.learning import services as progress
from courses.models import (
    Cohort,
    CohortDeparture,
    CohortInvitation,
    CohortMembership,
    DepartureKind,
    Enrolment,
    MembershipSource,
)
from courses.models import jurisdictions as where
from courses.models.cohorts import INVITE_CODE_LENGTH

# Large lists are looked up in slices: SQLite and some drivers cap the parameters per query.
LOOKUP_BATCH = 900

INVITE = "invite"  # gets an invitation to accept or decline (account or not)
ALREADY = "already"  # already a member, or invited and not yet answered


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
    """Members, and invitations not yet answered (each holds its place)."""
    return cohort.memberships.count() + cohort.invitations.pending().count()


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


def member_due_dates(cohort, user_ids):
    """Each member's effective due date: the cohort's fixed date, or for a relative cohort
    the end of the day N days after they joined (one query)."""
    if not cohort.is_relative:
        return dict.fromkeys(user_ids, cohort.due_at)
    joined = dict(
        CohortMembership.objects.filter(cohort=cohort, user_id__in=user_ids).values_list(
            "user_id", "joined_at"
        )
    )
    return {user_id: cohort.due_at_for(joined.get(user_id)) for user_id in user_ids}


def enrol_members(cohort, users):
    """Enrol users in each of the cohort's courses, each with their effective due date. Uses
    a fixed number of queries per course and per distinct due date, whatever the number of
    users."""
    users = list(users)
    if not users:
        return
    user_ids = [user.pk for user in users]
    due_dates = member_due_dates(cohort, user_ids)
    summary_cache.forget_cohort(cohort.pk)  # bulk writes below send no signals
    for course in cohort.courses.all():
        lessons = progress.course_lessons(course)
        # Members start with the cohort's jurisdiction where the course offers it.
        jurisdiction_id = (
            cohort.jurisdiction_id
            if cohort.jurisdiction_id
            and any(c.pk == cohort.jurisdiction_id for c in where.course_choices(course))
            else None
        )
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
                    jurisdiction_id=jurisdiction_id,
                    due_at=due_dates[user_id],
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
            by_due = {}
            for enrolment in latest.values():
                if enrolment.completed_at is None and due_dates[enrolment.user_id] is not None:
                    by_due.setdefault(due_dates[enrolment.user_id], []).append(enrolment.pk)
            for due_at, ids in by_due.items():
                Enrolment.objects.filter(pk__in=ids).filter(
                    Q(due_at__isnull=True) | Q(due_at__gt=due_at)
                ).update(due_at=due_at)


def apply_due_dates(cohort):
    """After the cohort's due date changes: its members' unfinished enrolments take their new
    effective due date (one update per distinct due date)."""
    unfinished = Enrolment.objects.filter(cohort=cohort, completed_at__isnull=True)
    summary_cache.forget_cohort(cohort.pk)
    if not cohort.is_relative:
        unfinished.update(due_at=cohort.due_at)
        return
    by_due = {}
    for user_id, joined_at in CohortMembership.objects.filter(cohort=cohort).values_list(
        "user_id", "joined_at"
    ):
        by_due.setdefault(cohort.due_at_for(joined_at), []).append(user_id)
    for due_at, user_ids in by_due.items():
        for batch in _batches(user_ids):
            unfinished.filter(user_id__in=batch).update(due_at=due_at)


class EmailNotVerified(CohortError):
    pass


class InvitationNotFound(CohortError):
    pass


def _require_verified(user):
    if not email_verified(user):
        raise EmailNotVerified(
            _("Please confirm your email address first: a place in a cohort waits for that.")
        )


@transaction.atomic
def join(cohort, user, source=MembershipSource.LINK, added_by=None):
    """The person joins a cohort themselves (its link, or accepting an invitation) and is
    enrolled. Returns (membership, created). Raises EmailNotVerified, CohortClosed or
    CohortFull."""
    _require_verified(user)
    cohort = _locked(cohort)
    membership = CohortMembership.objects.filter(cohort=cohort, user=user).first()
    if membership is not None:
        enrol_members(cohort, [user])  # re-open an enrolment they may have left
        return membership, False
    invitation = (
        CohortInvitation.objects.pending()
        .filter(cohort=cohort, email=normalise(user.email))
        .select_related("invited_by")
        .first()
    )
    if invitation is None:
        if not cohort.is_active:
            raise CohortClosed(_("This cohort is closed to new members."))
        _check_seats(cohort, 1)
    else:
        # Accepting: the invitation's held seat becomes the membership's, even if the cohort
        # has filled or closed since (it keeps its promise).
        invitation.delete()
        source = MembershipSource.INVITATION
        added_by = invitation.invited_by
    membership = CohortMembership.objects.create(
        cohort=cohort, user=user, source=source, added_by=added_by
    )
    enrol_members(cohort, [user])
    return membership, True


def normalise(email):
    return (email or "").strip().lower()


def _invitations_to(user):
    """Pending invitations to this person's address, with what My learning shows of them."""
    return (
        CohortInvitation.objects.pending()
        .filter(email=normalise(user.email))
        .select_related("cohort__organisation", "invited_by")
        .prefetch_related("cohort__courses")
        .order_by("created_at")
    )


def pending_invitations_for(user):
    """Invitations waiting for this person's answer: none until their address is verified
    (whoever typed an address into a sign-up form must not see another person's offers)."""
    if not user.is_authenticated or not email_verified(user):
        return CohortInvitation.objects.none()
    return _invitations_to(user)


def _invitation_for(user, invitation_id):
    invitation = (
        CohortInvitation.objects.pending()
        .filter(pk=invitation_id, email=normalise(user.email))
        .select_related("cohort")
        .first()
    )
    if invitation is None:
        raise InvitationNotFound(_("This invitation is no longer open."))
    return invitation


def accept_invitation(user, invitation_id):
    """The person says yes: they become a member, with the cohort's due date, from now.
    Returns the cohort. Raises EmailNotVerified or InvitationNotFound."""
    _require_verified(user)
    invitation = _invitation_for(user, invitation_id)
    join(invitation.cohort, user, source=MembershipSource.INVITATION)
    return invitation.cohort


@transaction.atomic
def decline_invitation(user, invitation_id):
    """The person says no: the seat is freed and the manager sees "declined"."""
    _require_verified(user)
    invitation = _invitation_for(user, invitation_id)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    return invitation.cohort


@dataclass
class AddResult:
    added: list = field(default_factory=list)  # users now members (never by a manager)
    invited: list = field(default_factory=list)  # CohortInvitation rows created or renewed
    already: list = field(default_factory=list)  # emails already members or invited


@dataclass
class Plan:
    """What adding these emails would do, read without saving anything. It never depends
    on whether an address has an account: everyone new is invited and decides."""

    outcomes: dict = field(default_factory=dict)  # email -> INVITE / ALREADY
    renewed: dict = field(default_factory=dict)  # email -> id of a declined invitation

    def count(self, outcome):
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def seats_needed(self):
        return self.count(INVITE)


def _batches(items, size=LOOKUP_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_people(cohort, emails):
    """For each email (any case), whether it would be invited or is already there (a member
    or invited and not yet answered). A fixed number of queries per 900 emails."""
    emails = list(dict.fromkeys(normalise(email) for email in emails))
    member_emails, pending, declined = set(), set(), {}
    for batch in _batches(emails):
        member_emails.update(
            email.lower()
            for email in CohortMembership.objects.filter(
                cohort=cohort, user__email__in=batch
            ).values_list("user__email", flat=True)
        )
        for email, pk, declined_at in CohortInvitation.objects.filter(
            cohort=cohort, email__in=batch
        ).values_list("email", "pk", "declined_at"):
            if declined_at is None:
                pending.add(email)
            else:
                declined[email] = pk
    plan = Plan()
    for email in emails:
        if email in member_emails or email in pending:
            plan.outcomes[email] = ALREADY
        else:
            plan.outcomes[email] = INVITE
            if email in declined:
                plan.renewed[email] = declined[email]
    return plan


@transaction.atomic
def add_people(cohort, people, added_by=None, source=MembershipSource.UPLOAD):
    """Invite validated (email, name) pairs. Nobody becomes a member here: each person gets
    an invitation (by email, and on My learning) and accepts or declines it, whether or not
    they already have an account. All or nothing: raises CohortFull or CohortClosed and
    saves none."""
    cohort = _locked(cohort)
    if not cohort.is_active:
        raise CohortClosed(_("This cohort is closed to new members."))
    names = {}
    for email, name in people:
        names.setdefault(normalise(email), name)
    plan = plan_people(cohort, names)
    result = AddResult()
    new_invites = []
    for email, outcome in plan.outcomes.items():
        if outcome == ALREADY:
            result.already.append(email)
        elif email not in plan.renewed:
            new_invites.append(
                CohortInvitation(cohort=cohort, email=email, name=names[email], invited_by=added_by)
            )
    _check_seats(cohort, plan.seats_needed)
    now = timezone.now()
    renewed_ids = list(plan.renewed.values())
    for batch in _batches(renewed_ids):
        CohortInvitation.objects.filter(pk__in=batch).update(
            declined_at=None, sent_at=None, created_at=now, invited_by=added_by
        )
    created = CohortInvitation.objects.bulk_create(new_invites)
    ids = [invitation.pk for invitation in created]
    if any(pk is None for pk in ids):  # backends that don't return ids from bulk_create
        ids = []
        for batch in _batches([i.email for i in new_invites]):
            ids.extend(
                CohortInvitation.objects.filter(cohort=cohort, email__in=batch).values_list(
                    "pk", flat=True
                )
            )
    ids.extend(renewed_ids)
    result.invited = list(CohortInvitation.objects.filter(pk__in=ids)) if ids else []
    if ids:
        from courses.cohorts.tasks import queue_invitation_emails

        for invitation in result.invited:
            invitation.cohort = cohort
        queue_invitation_emails(result.invited)
    return result


def _display_name(user):
    return (user.get_full_name() or "").strip() or user.email


@transaction.atomic
def remove_member(cohort, user, removed_by=None):
    """A manager takes a person out of a cohort. Their own progress and certificates stay
    theirs; the cohort's due date no longer applies to them."""
    return _depart(cohort, user, DepartureKind.REMOVED, removed_by)


@transaction.atomic
def leave_cohort(cohort, user):
    """The person leaves a cohort themselves: from now the manager sees only that they
    left, and when."""
    return _depart(cohort, user, DepartureKind.LEFT, None)


def _depart(cohort, user, kind, removed_by):
    deleted, _unused = CohortMembership.objects.filter(cohort=cohort, user=user).delete()
    if not deleted:
        return False
    summary_cache.forget_cohort(cohort.pk)
    Enrolment.objects.filter(user=user, cohort=cohort, completed_at__isnull=True).update(
        cohort=None, due_at=None
    )
    Enrolment.objects.filter(user=user, cohort=cohort).update(cohort=None)
    CohortDeparture.objects.create(
        cohort=cohort, user=user, name=_display_name(user), kind=kind, removed_by=removed_by
    )
    return True


def learner_cohort_context(user):
    """What My learning shows about cohorts: invitations to answer (or a request to verify
    the address first) and the cohorts the person is in (their name, organisation and
    public id, for the Leave link). Most people have no invitation waiting: a quick check
    comes first, and the invitations with what is shown of them, and the address check, only
    when some wait; an unverified person sees only that something waits, not who invited
    them."""
    # One query: the person's cohorts, and a row per waiting invitation (no public id).
    memberships = (
        CohortMembership.objects.filter(user=user)
        .order_by()
        .values_list("cohort__name", "cohort__public_id", "cohort__organisation__name", "joined_at")
    )
    invited = (
        CohortInvitation.objects.pending()
        .filter(email=normalise(user.email))
        .order_by()
        .annotate(
            no_name=Value("", output_field=CharField()),
            no_id=Value(None, output_field=UUIDField()),
        )
        .values_list("no_name", "no_id", "no_name", "created_at")
    )
    rows = list(memberships.union(invited, all=True))
    waiting = []
    if any(public_id is None for _name, public_id, _organisation, _at in rows):
        waiting = list(_invitations_to(user))
    verified = bool(waiting) and email_verified(user)
    return {
        "invitations": waiting if verified else [],
        "invitations_waiting_for_verification": bool(waiting) and not verified,
        "memberships": [
            {"name": name, "public_id": public_id, "organisation": organisation}
            for name, public_id, organisation, _joined in sorted(
                (row for row in rows if row[1] is not None), key=lambda row: row[3]
            )
        ],
    }
