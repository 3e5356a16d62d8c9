"""Cohort reports for the manager area, built in SQL.

A cohort's report has one row per member and course. Each row's figures come from the member's
current enrolment in that course (the highest active cycle), their certificates and their quiz
attempts, through correlated subqueries on indexed columns. Filtering, sorting, counting and
paging therefore happen in the database, with a fixed number of queries whatever the size of the
cohort: nothing loops over all members in Python.

Statuses, in the order "needs attention first":

- overdue: not completed, and past the cohort's due date or the enrolment's own due date;
- not started: no lesson completed yet (or no longer enrolled);
- in progress: at least one lesson completed;
- completed: the current enrolment is completed.

Invited people (invitations not yet answered) have the status "invited"; they are listed
apart from members because they have no enrolment.
"""

import contextlib
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import conf
from courses.cohorts.reports import summary_cache
from courses.learning.services import duration_words, format_duration
from courses.models import (
    Certificate,
    CertificateStatus,
    Cohort,
    CohortInvitation,
    CohortMembership,
    Enrolment,
    EnrolmentStatus,
    LessonPage,
    LessonProgress,
)
from quizzes.models import Attempt

# Status codes, stored as small integers so that one subquery gives both the filter value and
# the sort order (most urgent first).
OVERDUE, NOT_STARTED, IN_PROGRESS, COMPLETED, INVITED = 0, 1, 2, 3, 4

# A member's status in the report is their enrolment's (EnrolmentStatus), or "invited" for
# people who have not joined yet. The URL values (?status=in_progress) are the names.
INVITED_NAME = "invited"
STATUSES = {
    INVITED_NAME: INVITED,
    EnrolmentStatus.NOT_STARTED: NOT_STARTED,
    EnrolmentStatus.IN_PROGRESS: IN_PROGRESS,
    EnrolmentStatus.OVERDUE: OVERDUE,
    EnrolmentStatus.COMPLETED: COMPLETED,
}
STATUS_NAMES = {code: str(name) for name, code in STATUSES.items()}
STATUS_LABELS = {
    code: EnrolmentStatus(name).label if name != INVITED_NAME else _("Invited")
    for name, code in STATUSES.items()
}

SORT_LABELS = {
    "name": _("name"),
    "email": _("email"),
    "status": _("status"),
    "progress": _("progress"),
    "activity": _("last activity"),
}
DEFAULT_SORT = "name"
PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200


def min_group_size():
    """Below this many members, summaries show no counts or percentages."""
    return conf.cohort_min_group_size()


@contextlib.contextmanager
def without_jit(using=DEFAULT_DB_ALIAS):
    """Run the block in a transaction with PostgreSQL's JIT compilation off.

    These reports evaluate a few indexed subqueries per member. Over thousands of members the
    planner's cost estimate passes `jit_above_cost`, and PostgreSQL then spends about a second
    compiling a query that runs in well under 100 ms (measured with bench/cohorts.py). Other
    databases: the block runs as it is."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# --- Parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The validated GET parameters of a cohort report. Bad values fall back to defaults."""

    course: object  # CoursePage or None (a cohort without courses)
    status: str = ""  # "" or a key of STATUSES
    search: str = ""
    sort: str = DEFAULT_SORT  # a key of SORT_LABELS, "-" first for descending

    @classmethod
    def from_query(cls, params, courses):
        """`courses`: the cohort's courses ordered by title; the first is the default."""
        course = courses[0] if courses else None
        raw_course = params.get("course", "")
        if raw_course.isascii() and raw_course.isdigit():
            course = next((c for c in courses if c.pk == int(raw_course)), course)
        status = params.get("status", "")
        if status not in STATUSES:
            status = ""
        search = " ".join(params.get("q", "").replace("\x00", "").split())[:SEARCH_MAX_LENGTH]
        sort = params.get("sort", DEFAULT_SORT)
        if sort.removeprefix("-") not in SORT_LABELS:
            sort = DEFAULT_SORT
        return cls(course=course, status=status, search=search, sort=sort)

    @property
    def sort_key(self):
        return self.sort.removeprefix("-")

    @property
    def descending(self):
        return self.sort.startswith("-")

    @property
    def status_code(self):
        return STATUSES.get(self.status)

    @property
    def shows_members(self):
        return self.status != INVITED_NAME

    @property
    def shows_invitations(self):
        return self.status in ("", INVITED_NAME)

    def as_query(self):
        """The non-default parameters, for links (export, sorting, paging)."""
        query = {}
        if self.course is not None:
            query["course"] = self.course.pk
        if self.status:
            query["status"] = self.status
        if self.search:
            query["q"] = self.search
        if self.sort != DEFAULT_SORT:
            query["sort"] = self.sort
        return query


# --- Expressions ------------------------------------------------------------------------------


def _current_enrolments(course_id):
    """The member's current enrolment in the course first: active, highest cycle."""
    return (
        Enrolment.objects.active()
        .filter(user_id=OuterRef("user_id"), course_id=course_id)
        .order_by("-cycle")
    )


def _current_value(course_id, field_or_expression, output_field=None):
    current = _current_enrolments(course_id)
    if isinstance(field_or_expression, str):
        return Subquery(current.values(field_or_expression)[:1], output_field=output_field)
    current = current.annotate(value=field_or_expression)
    return Subquery(current.values("value")[:1], output_field=output_field)


def enrolment_status(cohort_late, now):
    """An enrolment's status code (an expression on Enrolment). `cohort_late`: whether the
    cohort's due date has passed."""
    if cohort_late:
        return Case(
            When(completed_at__isnull=False, then=Value(COMPLETED)),
            default=Value(OVERDUE),
        )
    return Case(
        When(completed_at__isnull=False, then=Value(COMPLETED)),
        When(due_at__lt=now, then=Value(OVERDUE)),
        When(lessons_completed__gt=0, then=Value(IN_PROGRESS)),
        default=Value(NOT_STARTED),
    )


def no_enrolment_status(cohort_late):
    """The status of a member without an active enrolment (they left the course): not
    started, or overdue."""
    return OVERDUE if cohort_late else NOT_STARTED


def status_expression(course_id, cohort_late, now):
    """The row's status code. `cohort_late`: whether the cohort's due date has passed."""
    code = enrolment_status(cohort_late, now)
    no_enrolment = Value(no_enrolment_status(cohort_late))
    return Coalesce(
        _current_value(course_id, code, IntegerField()), no_enrolment, output_field=IntegerField()
    )


def enrolment_progress():
    """An enrolment's percentage done (an expression on Enrolment); 100 once completed."""
    return Case(
        When(completed_at__isnull=False, then=Value(100)),
        default=F("progress_percent"),
        output_field=IntegerField(),
    )


def progress_expression(course_id):
    """Percentage of the course done; 100 once completed, 0 without an enrolment."""
    return Coalesce(_current_value(course_id, enrolment_progress(), IntegerField()), Value(0))


def enrolment_time_on_task():
    """Seconds recorded on an enrolment's lessons (an expression on Enrolment)."""
    spent = (
        LessonProgress.objects.filter(enrolment_id=OuterRef("pk"))
        .order_by()
        .values("enrolment_id")
        .annotate(seconds=Sum("time_spent_seconds"))
        .values("seconds")
    )
    return Coalesce(Subquery(spent), Value(0))


def time_on_task_expression(course_id):
    """Seconds recorded on the lessons of the member's current enrolment (None without one)."""
    return _current_value(course_id, enrolment_time_on_task(), IntegerField())


def _passes_this_cycle(course_id, quiz_ids):
    """Passing attempts at the course's quizzes started in the attempt's owner's current
    cycle of the course (a pass from an earlier certification cycle does not count)."""
    cycle_start = Subquery(_current_enrolments(course_id).values("enrolled_at")[:1])
    return Attempt.objects.filter(quiz_id__in=quiz_ids, passed=True, started_at__gte=cycle_start)


def quizzes_passed_expression(quiz_ids, course_id):
    """How many of the course's quizzes the member has passed in their current cycle."""
    if not quiz_ids:
        return Value(0, output_field=IntegerField())
    passed = (
        _passes_this_cycle(course_id, quiz_ids)
        .filter(user_id=OuterRef("user_id"))
        .order_by()
        .values("user_id")
        .annotate(n=Count("quiz_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(passed, output_field=IntegerField()), Value(0))


def _certificates(course_id):
    """The member's certificates for the course, the one to show first: not revoked, then
    the longest valid."""
    return Certificate.objects.filter(user_id=OuterRef("user_id"), course_id=course_id).order_by(
        F("revoked_at").asc(nulls_first=True),
        F("expires_at").desc(nulls_first=True),
        "-issued_at",
    )


def certificate_state_expression(course_id, now):
    state = Certificate.objects.status_case(now)
    return Subquery(_certificates(course_id).annotate(state=state).values("state")[:1])


def valid_certificate_condition(course_id, now):
    """Whether the member holds a certificate for the course that is neither revoked nor
    expired (expiring soon still counts as valid). An uncorrelated IN: the database reads the
    course's valid certificates once (a hashed subplan), not once per member."""
    holders = (
        Certificate.objects.filter(course_id=course_id, revoked_at__isnull=True, user__isnull=False)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("user_id")
    )
    return Q(user_id__in=holders)


def full_name_expression():
    return Concat("user__first_name", Value(" "), "user__last_name", output_field=CharField())


def course_quiz_ids(course):
    """The distinct quizzes of a course's live lessons (one query)."""
    if course is None:
        return []
    return sorted(
        set(
            LessonPage.objects.live()
            .descendant_of(course)
            .filter(quiz__isnull=False)
            .values_list("quiz_id", flat=True)
        )
    )


# --- The report -------------------------------------------------------------------------------


class CohortReport:
    """One cohort, one of its courses, the validated filters: querysets for the summary, the
    member table (paged), the CSV export and the invitations."""

    def __init__(self, cohort, filters, quiz_ids, now=None):
        self.cohort = cohort
        self.filters = filters
        self.course = filters.course
        self.course_id = self.course.pk if self.course is not None else None
        self.quiz_ids = list(quiz_ids)
        self.now = now or timezone.now()
        self.cohort_late = cohort.is_overdue(self.now)

    # Building blocks.

    def memberships(self):
        return CohortMembership.objects.filter(cohort=self.cohort).order_by()

    def status(self):
        return status_expression(self.course_id, self.cohort_late, self.now)

    def _filtered(self, queryset):
        """The search and status filters."""
        if self.filters.search:
            term = self.filters.search
            queryset = queryset.annotate(full_name=full_name_expression()).filter(
                Q(full_name__icontains=term) | Q(user__email__icontains=term)
            )
        if self.filters.status_code is not None and self.filters.shows_members:
            queryset = queryset.annotate(status_code=self.status()).filter(
                status_code=self.filters.status_code
            )
        return queryset

    def _sorted(self, queryset):
        key, desc = self.filters.sort_key, self.filters.descending

        def direction(expression, nulls_last=False):
            if desc:
                return expression.desc(nulls_last=True) if nulls_last else expression.desc()
            return expression.asc(nulls_last=True) if nulls_last else expression.asc()

        name = Lower(full_name_expression())
        if key == "status":
            if "status_code" not in queryset.query.annotations:
                queryset = queryset.annotate(status_code=self.status())
            order = [direction(F("status_code")), name.asc()]
        elif key == "progress":
            queryset = queryset.annotate(progress=progress_expression(self.course_id))
            order = [direction(F("progress")), name.asc()]
        elif key == "activity":
            queryset = queryset.annotate(
                last_activity=_current_value(self.course_id, "last_activity_at")
            )
            order = [direction(F("last_activity"), nulls_last=True), name.asc()]
        elif key == "email":
            order = [direction(F("user__email"))]
        else:
            order = [direction(name), direction(F("user__email"))]
        return queryset.order_by(*order, "pk")

    def row_ids(self):
        """Membership ids, filtered and sorted: what the paginator pages (it counts them and
        takes one slice, two queries; only the columns that filter or sort are computed)."""
        if not self.filters.shows_members or self.course is None:
            return CohortMembership.objects.none().values_list("pk", flat=True)
        return self._sorted(self._filtered(self.memberships())).values_list("pk", flat=True)

    def paged_rows(self, summary):
        """row_ids(), counted from the summary when it already knows the number (no search):
        the paginator then needs one query, not two."""
        ids = self.row_ids()
        if self.filters.search or not self.filters.shows_members or self.course is None:
            return ids
        code = self.filters.status_code
        count = summary.members if code is None else summary.counts[code]
        if code is None and self.filters.sort_key in ("name", "email"):
            # Pages of the whole cohort in name or email order: the sort reads every member.
            order = summary_cache.order_key(self.cohort.pk, self.filters.sort)
            return KnownCount(ids, count, order_key=order)
        return KnownCount(ids, count)

    def _with_columns(self, queryset):
        course_id = self.course_id
        return queryset.annotate(
            status_code=self.status(),
            full_name=full_name_expression(),
            progress=progress_expression(course_id),
            lessons_completed=_current_value(course_id, "lessons_completed"),
            lessons_total=_current_value(course_id, "lessons_total"),
            last_activity=_current_value(course_id, "last_activity_at"),
            completed_at=_current_value(course_id, "completed_at"),
            enrolment_due_at=_current_value(course_id, "due_at"),
            quizzes_passed=quizzes_passed_expression(self.quiz_ids, self.course_id),
            time_on_task=time_on_task_expression(course_id),
            certificate_state=certificate_state_expression(course_id, self.now),
            certificate_expires_at=Subquery(_certificates(course_id).values("expires_at")[:1]),
        ).values(
            "pk",
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "joined_at",
            "last_reminded_at",
            "status_code",
            "full_name",
            "progress",
            "lessons_completed",
            "lessons_total",
            "last_activity",
            "completed_at",
            "enrolment_due_at",
            "quizzes_passed",
            "time_on_task",
            "certificate_state",
            "certificate_expires_at",
        )

    def rows_for(self, ids):
        """The table's rows for a page of membership ids, in that order: the same columns
        as _with_columns (which the export of all rows uses), in two queries that are much
        quicker to build than its one: the members with their current enrolment's id, then
        those enrolments."""
        ids = list(ids)
        if not ids:
            return []
        course_id = self.course_id
        members = list(
            self.memberships()
            .filter(pk__in=ids)
            .annotate(
                enrolment_id=Subquery(_current_enrolments(course_id).values("pk")[:1]),
                full_name=full_name_expression(),
                quizzes_passed=quizzes_passed_expression(self.quiz_ids, course_id),
                certificate_state=certificate_state_expression(course_id, self.now),
                certificate_expires_at=Subquery(_certificates(course_id).values("expires_at")[:1]),
            )
            .values(*self.MEMBER_FIELDS)
        )
        enrolment_ids = [row["enrolment_id"] for row in members if row["enrolment_id"]]
        enrolments = {
            row.pop("pk"): row
            for row in Enrolment.objects.filter(pk__in=enrolment_ids)
            .annotate(
                status_code=enrolment_status(self.cohort_late, self.now),
                progress=enrolment_progress(),
                time_on_task=enrolment_time_on_task(),
            )
            .values(*self.ENROLMENT_FIELDS)
        }
        no_enrolment = {
            "status_code": no_enrolment_status(self.cohort_late),
            "progress": 0,
            "lessons_completed": None,
            "lessons_total": None,
            "last_activity": None,
            "completed_at": None,
            "enrolment_due_at": None,
            "time_on_task": None,
        }
        by_id = {}
        for row in members:
            enrolment = enrolments.get(row.pop("enrolment_id"))
            if enrolment is None:
                row.update(no_enrolment)
            else:
                row.update(
                    status_code=enrolment["status_code"],
                    progress=enrolment["progress"],
                    lessons_completed=enrolment["lessons_completed"],
                    lessons_total=enrolment["lessons_total"],
                    last_activity=enrolment["last_activity_at"],
                    completed_at=enrolment["completed_at"],
                    enrolment_due_at=enrolment["due_at"],
                    time_on_task=enrolment["time_on_task"],
                )
            by_id[row["pk"]] = self.decorate(row)
        return [by_id[pk] for pk in ids if pk in by_id]

    MEMBER_FIELDS = (
        "pk",
        "user_id",
        "user__first_name",
        "user__last_name",
        "user__email",
        "joined_at",
        "last_reminded_at",
        "enrolment_id",
        "full_name",
        "quizzes_passed",
        "certificate_state",
        "certificate_expires_at",
    )
    ENROLMENT_FIELDS = (
        "pk",
        "status_code",
        "progress",
        "lessons_completed",
        "lessons_total",
        "last_activity_at",
        "completed_at",
        "due_at",
        "time_on_task",
    )

    def all_rows(self):
        """Every row matching the filters, sorted, with every column (for the export; iterate
        it with .iterator())."""
        if not self.filters.shows_members or self.course is None:
            return CohortMembership.objects.none().values("pk")
        return self._with_columns(self._sorted(self._filtered(self.memberships())))

    def decorate(self, row):
        """Add display values to a row from _with_columns."""
        code = row["status_code"]
        row["status"] = STATUS_NAMES[code]
        row["status_label"] = STATUS_LABELS[code]
        row["enrolled"] = row["lessons_total"] is not None
        row["name"] = (row["full_name"] or "").strip()
        row["quizzes_total"] = len(self.quiz_ids)
        seconds = row["time_on_task"]
        if "_duration_words" not in self.__dict__:
            self._duration_words = duration_words()  # translated once per report
        row["time_on_task_text"] = (
            format_duration(seconds, self._duration_words) if seconds is not None else ""
        )
        row["time_on_task_minutes"] = seconds // 60 if seconds is not None else None
        state = row["certificate_state"]
        row["certificate_label"] = CertificateStatus(state).label if state else ""
        dues = [self.cohort.due_at_for(row["joined_at"]), row["enrolment_due_at"]]
        dues = [due for due in dues if due is not None]
        row["due_at"] = min(dues) if dues else None  # the member's effective due date
        return row

    def invitations(self):
        """Pending invitations matching the search (all statuses but "invited" hide them)."""
        if not self.filters.shows_invitations:
            return CohortInvitation.objects.none()
        queryset = CohortInvitation.objects.pending().filter(cohort=self.cohort)
        if self.filters.search:
            term = self.filters.search
            queryset = queryset.filter(Q(email__icontains=term) | Q(name__icontains=term))
        return queryset.order_by("email", "pk")

    def paged_invitations(self, summary):
        """invitations(), counted from the summary when it already knows the number."""
        invitations = self.invitations()
        if self.filters.search or not self.filters.shows_invitations:
            return invitations
        return KnownCount(invitations, summary.counts[INVITED])

    # Summary.

    def summary(self):
        """Counts for the whole cohort in the selected course (filters do not apply): from
        the cache (`summary_cache`), or two to four queries. Returns a Summary, whose figures
        are hidden below the minimum group size."""
        if self.course is not None:
            figures = self._course_figures()
            counts = {code: figures["counts"].get(code, 0) for code in STATUS_LABELS}
            quiz_passed, certificates = figures["quiz_passed"], figures["certificates"]
            members = sum(counts.values())
        else:
            counts = dict.fromkeys(STATUS_LABELS, 0)
            quiz_passed = certificates = 0
            members = self.memberships().count()
        counts[INVITED] = self.cohort.invitations.pending().count()
        return Summary(
            members=members,
            counts=counts,
            quiz_passed=quiz_passed,
            quizzes=len(self.quiz_ids),
            certificates=certificates,
            minimum=min_group_size(),
        )

    def _course_figures(self):
        """Members by status, quiz passes and valid certificates in the course: cached until
        a member's progress or the membership changes, or a due date or expiry passes."""
        key = summary_cache.entry_key(self.cohort.pk, self.course_id, self.quiz_ids)
        figures = summary_cache.get(key, self.now)
        if figures is not None:
            return figures
        counts = {}
        quiz_passed = certificates = 0
        for group in self._summary_queryset():
            counts[group["status_code"]] = counts.get(group["status_code"], 0) + group["n"]
            quiz_passed += group["quiz_passed"]
            certificates += group["certificates"]
        figures = {"counts": counts, "quiz_passed": quiz_passed, "certificates": certificates}
        summary_cache.put(key, figures, self.now, self._figures_change_at())
        return figures

    def _figures_change_at(self):
        """The first moment after now when the figures may change with nobody doing anything:
        the cohort's due date, or a member's enrolment due date or certificate expiry (an
        earlier moment than needed is harmless). Two small queries."""
        moments = []
        if not self.cohort_late and self.cohort.due_at is not None:
            moments.append(self.cohort.due_at)
        members = self.memberships().values("user_id")
        due = (
            Enrolment.objects.active()
            .filter(course_id=self.course_id, user_id__in=members)
            .filter(completed_at__isnull=True, due_at__gte=self.now)
            .aggregate(first=Min("due_at"))["first"]
        )
        expiry = (
            Certificate.objects.filter(course_id=self.course_id, user_id__in=members)
            .filter(revoked_at__isnull=True, expires_at__gte=self.now)
            .aggregate(first=Min("expires_at"))["first"]
        )
        moments += [moment for moment in (due, expiry) if moment is not None]
        return min(moments) if moments else None

    def _summary_queryset(self):
        if self.quiz_ids:
            # One query for the whole cohort: passes in each member's current cycle.
            passed_all = (
                _passes_this_cycle(self.course_id, self.quiz_ids)
                .order_by()
                .values("user_id")
                .annotate(n=Count("quiz_id", distinct=True))
                .filter(n__gte=len(self.quiz_ids))
                .values("user_id")
            )
            quiz_filter = Q(user_id__in=passed_all)
        else:
            quiz_filter = Q(pk__isnull=True)
        return (
            self.memberships()
            .annotate(status_code=self.status())
            .values("status_code")
            .annotate(
                n=Count("pk"),
                quiz_passed=Count("pk", filter=quiz_filter),
                certificates=Count(
                    "pk", filter=valid_certificate_condition(self.course_id, self.now)
                ),
            )
            .order_by()
        )


class KnownCount:
    """A queryset whose length is already known, for Paginator (it calls count() and slices)."""

    def __init__(self, queryset, count, order_key=None):
        self.queryset = queryset
        self._count = count
        self.order_key = order_key  # pages of ids are cached under this key (summary_cache)

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        if self.order_key is not None and isinstance(index, slice) and index.step is None:
            return summary_cache.ids_page(self.order_key, self.queryset, index.start, index.stop)
        return self.queryset[index]


@dataclass
class Figure:
    label: str
    value: int | None  # None: suppressed
    percent: int | None = None
    definition: str = ""


@dataclass
class Summary:
    members: int
    counts: dict
    quiz_passed: int
    quizzes: int
    certificates: int
    minimum: int

    @property
    def suppressed(self):
        return self.members < self.minimum

    def _percent(self, n):
        return round(100 * n / self.members) if self.members else None

    @property
    def figures(self):
        """Figures for the template, each with its definition; values are None when
        suppressed. Not started + in progress + overdue + completed = members."""
        rows = [
            (
                _("Invited, not yet answered"),
                self.counts[INVITED],
                False,
                _("Invitations sent and not yet accepted or declined. Each holds a place."),
            ),
            (
                _("Not started"),
                self.counts[NOT_STARTED],
                True,
                _(
                    "Members who have not completed a lesson of this course yet, and are not "
                    "overdue."
                ),
            ),
            (
                _("In progress"),
                self.counts[IN_PROGRESS],
                True,
                _("Members who have completed at least one lesson, not all, and are not overdue."),
            ),
            (
                _("Overdue"),
                self.counts[OVERDUE],
                True,
                _(
                    "Members who have not completed the course by their due date (the cohort's "
                    "date, or their own date counted from the day they joined)."
                ),
            ),
            (
                _("Completed (this cycle)"),
                self.counts[COMPLETED],
                True,
                _(
                    "Members who completed the course in their current cycle (after a "
                    "certificate expires, a new cycle starts)."
                ),
            ),
        ]
        if self.quizzes:
            rows.append(
                (
                    _("Passed every quiz"),
                    self.quiz_passed,
                    True,
                    _(
                        "Members, completed or not, who passed each of the course's quizzes in "
                        "their current cycle."
                    ),
                )
            )
        rows.append(
            (
                _("Holding a valid certificate"),
                self.certificates,
                True,
                _(
                    "Members with a certificate for this course that is neither expired nor "
                    "revoked, whenever it was earned."
                ),
            )
        )
        figures = []
        for label, value, with_percent, definition in rows:
            if self.suppressed:
                figures.append(Figure(label, None, definition=definition))
            else:
                percent = self._percent(value) if with_percent else None
                figures.append(Figure(label, value, percent, definition))
        return figures


# --- The organisations overview ---------------------------------------------------------------


def cohort_overview(cohort_ids, now=None):
    """For each cohort id: members, members who completed every course of the cohort, and
    members overdue in at least one course. One query, grouped by cohort."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    current = Enrolment.objects.active().filter(
        user_id=OuterRef("user_id"), course__cohorts=OuterRef("cohort_id")
    )
    newer = Enrolment.objects.active().filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id"), cycle__gt=OuterRef("cycle")
    )
    current = current.exclude(Exists(newer))
    done = Subquery(
        current.filter(completed_at__isnull=False)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    late_enrolment = Exists(current.filter(completed_at__isnull=True, due_at__lt=now))
    courses = Subquery(
        Cohort.courses.through.objects.filter(cohort_id=OuterRef("cohort_id"))
        .order_by()
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    rows = (
        CohortMembership.objects.filter(cohort_id__in=cohort_ids)
        .annotate(done=Coalesce(done, Value(0)), courses=Coalesce(courses, Value(0)))
        .order_by()
        .values("cohort_id")
        .annotate(
            members=Count("pk"),
            completed=Count("pk", filter=Q(courses__gt=0, done__gte=F("courses"))),
            overdue=Count(
                "pk",
                filter=Q(late_enrolment) | Q(cohort__due_on__lt=today, done__lt=F("courses")),
            ),
        )
    )
    return {
        row["cohort_id"]: {
            "members": row["members"],
            "completed": row["completed"],
            "overdue": row["overdue"],
        }
        for row in rows
    }


# --- Reminders --------------------------------------------------------------------------------


def overdue_memberships(cohort, courses, now=None):
    """The cohort's memberships overdue in at least one of `courses`, as a queryset (the
    condition is SQL: usable in an UPDATE)."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for course in courses:
        report = CohortReport(cohort, Filters(course=course), quiz_ids=(), now=now)
        overdue = (
            report.memberships()
            .annotate(status_code=report.status())
            .filter(status_code=OVERDUE)
            .values("pk")
        )
        condition |= Q(pk__in=overdue)
    return CohortMembership.objects.filter(cohort=cohort).filter(condition)


RECENT_ANSWERS_SHOWN = 50


def recent_answers(cohort, limit=RECENT_ANSWERS_SHOWN):
    """Who declined an invitation or left (or was removed), newest first: names and dates
    only, never progress. Two queries."""
    from courses.models import CohortDeparture

    declined = [
        {
            "when": invitation.declined_at,
            "who": invitation.name or invitation.email,
            "email": invitation.email,
            "what": _("Declined the invitation"),
        }
        for invitation in CohortInvitation.objects.filter(
            cohort=cohort, declined_at__isnull=False
        ).order_by("-declined_at")[:limit]
    ]
    departures = [
        {
            "when": departure.left_at,
            "who": departure.name,
            "email": "",
            "what": departure.get_kind_display(),
        }
        for departure in CohortDeparture.objects.filter(cohort=cohort).order_by("-left_at")[:limit]
    ]
    return sorted(declined + departures, key=lambda item: item["when"], reverse=True)[:limit]
