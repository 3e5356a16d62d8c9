"""Enrolment and progress services: every change to a learner's record goes through here.

Each event (enrol, open a lesson, complete a lesson) updates the enrolment's stored progress,
so pages that list enrolments never count lessons one by one. Course completion is recorded
by a conditional UPDATE (`completed_at IS NULL`), so it happens exactly once however many
requests race to it, and `course_completed` is sent after the transaction commits.
"""

import threading
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page

from courses.content import page_cache
from courses.models import CohortMembership, Enrolment, LessonPage, LessonProgress, ModulePage
from courses.models import jurisdictions as where
from courses.signals import (
    course_completed,
    enrolled,
    lesson_completed,
    lesson_first_opened,
    unenrolled,
)

# Time spent on a lesson is the time between opening it and completing it, capped so that a
# lesson left open overnight does not count as hours of study.
LESSON_TIME_CAP_SECONDS = 60 * 60


def live_lessons(course):
    """The lessons learners see and count: live lessons in the course's live modules (as the
    course outline shows them), in tree order. A queryset; one query when evaluated."""
    module_path_length = len(course.path) + LessonPage.steplen
    live_module = Page.objects.filter(
        path=Substr(OuterRef("path"), 1, module_path_length), live=True
    )
    return (
        LessonPage.objects.descendant_of(course).live().filter(Exists(live_module)).order_by("path")
    )


def course_lessons(course):
    """The course's live lessons in live modules, in tree order (one query)."""
    return list(
        live_lessons(course).only(
            "id",
            "title",
            "path",
            "depth",
            "url_path",
            "slug",
            "locale_id",
            "estimated_minutes",
            "content_note",
        )
    )


OUTLINE_CACHE_SECONDS = 60 * 60


def _outline_cache_key(course_id, url_path):
    """Keyed by the course's URL path too, so moving or renaming the course misses the cache."""
    return f"lantern:outline:v3:{course_id}:{url_path}"


def cached_course_outline(course):
    """The course's live modules, each with its live lessons (`CoursePage.get_outline`), from
    the cache; publishing, unpublishing, moving or deleting a module or lesson forgets it (see
    `forget_outline`)."""
    key = _outline_cache_key(course.pk, course.url_path)
    # Kept in the process too, while no page has changed (every change that forgets an
    # outline also draws a new page-cache token).
    outline = page_cache.local_get(key)
    if outline is not None:
        return outline
    outline = cache.get(key)
    if outline is None:
        outline = course.get_outline()
        cache.set(key, outline, OUTLINE_CACHE_SECONDS)
    page_cache.local_set(key, outline)
    return outline


def cached_outline(course):
    """The course's structure for page views: (live lessons in live modules, module titles by
    tree path), from the cached outline."""
    outline = cached_course_outline(course)
    lessons = [lesson for _module, module_lessons in outline for lesson in module_lessons]
    return lessons, {module.path: module.title for module, _lessons in outline}


def forget_outline(course_id):
    """Drop the cached outline of the course (now, and again once the transaction commits)."""
    from courses.models import CoursePage

    if course_id is None:
        return

    def forget():
        for url_path in CoursePage.objects.filter(pk=course_id).values_list("url_path", flat=True):
            cache.delete(_outline_cache_key(course_id, url_path))

    forget()
    transaction.on_commit(forget)


def course_id_for_path(path):
    """The id of the course at or above the page with this tree path (one query), or None."""
    from courses.models import CoursePage

    steplen = Page.steplen
    prefixes = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    return CoursePage.objects.filter(path__in=prefixes).values_list("pk", flat=True).first()


_pending_recomputes = threading.local()


def schedule_progress_recompute(course_id):
    """Recompute the course's stored progress once the current transaction commits (at once
    outside one). However many pages change in one transaction, a course is queued once."""
    if course_id is None:
        return
    forget_outline(course_id)
    pending = _pending_recomputes.__dict__.setdefault("course_ids", set())
    pending.add(course_id)
    # One callback per call: if a savepoint rolls back and drops an earlier callback, a later
    # one still runs; the first to run after the commit queues the task, the others see the
    # course gone from `pending` and do nothing.
    transaction.on_commit(lambda: _enqueue_recompute(course_id))


def _enqueue_recompute(course_id):
    """Queue `recompute_course_progress` unless this commit already queued it."""
    from courses.learning.tasks import recompute_course_progress

    pending = _pending_recomputes.__dict__.setdefault("course_ids", set())
    if course_id in pending:
        pending.discard(course_id)
        recompute_course_progress.enqueue(course_id)


def module_groups(lessons):
    """Lessons grouped by their module (parent path), in order."""
    groups = {}
    for lesson in lessons:
        groups.setdefault(lesson.path[: -LessonPage.steplen], []).append(lesson)
    return list(groups.values())


@dataclass
class OutlineLesson:
    """One lesson in a course's contents, with its state for the learner."""

    page: LessonPage
    state: str  # "completed", "current", "locked", "not_started" (or "" without a learner)
    current: bool = False


@dataclass
class OutlineModule:
    """One module in a course's contents and its lessons."""

    title: str
    lessons: list = field(default_factory=list)


def course_contents(
    course, lessons, current, completed_ids, locked_ids, with_states=True, titles=None
):
    """The course's modules and lessons with each lesson's state, from lessons already
    loaded: one query (the module titles, unless given) however many lessons there are."""
    if titles is None:
        titles = dict(ModulePage.objects.child_of(course).live().values_list("path", "title"))
    modules = []
    for group in module_groups(lessons):
        module = OutlineModule(title=titles.get(group[0].path[: -LessonPage.steplen], ""))
        for lesson in group:
            is_current = current is not None and lesson.id == current.id
            state = ""
            if with_states:
                state = (
                    "completed"
                    if lesson.id in completed_ids
                    else "current"
                    if is_current
                    else "locked"
                    if lesson.id in locked_ids
                    else "not_started"
                )
            module.lessons.append(OutlineLesson(lesson, state, is_current))
        modules.append(module)
    return modules


def locked_lesson_ids(course, lessons, completed_ids):
    """With sequential modules, every lesson after the first incomplete module is locked."""
    if not course.sequential_modules:
        return set()
    locked, blocked = set(), False
    for group in module_groups(lessons):
        if blocked:
            locked.update(lesson.id for lesson in group)
        elif any(lesson.id not in completed_ids for lesson in group):
            blocked = True
    return locked


def current_enrolment(user, course):
    """The learner's active enrolment in the course (latest cycle), or None."""
    if not user.is_authenticated:
        return None
    return Enrolment.objects.active().filter(user=user, course=course).order_by("-cycle").first()


def completed_lesson_ids(enrolment):
    if enrolment is None:
        return set()
    return set(
        LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )


def lesson_states(enrolment, lessons):
    """Each lesson's state for the learner, by lesson id: "done", "progress" (opened, not
    complete), "todo" or "locked". Two queries at most, however many lessons."""
    rows = LessonProgress.objects.filter(enrolment=enrolment).values_list(
        "lesson_id", "completed_at"
    )
    completed, opened = set(), set()
    for lesson_id, completed_at in rows:
        (completed if completed_at else opened).add(lesson_id)
    course = enrolment.course
    locked = (
        locked_lesson_ids(course, course_lessons(course), completed)
        if course.sequential_modules
        else set()
    )
    states = {}
    for lesson in lessons:
        if lesson.id in completed:
            states[lesson.id] = "done"
        elif lesson.id in locked:
            states[lesson.id] = "locked"
        else:
            states[lesson.id] = "progress" if lesson.id in opened else "todo"
    return states


def lesson_to_open_after(course, lessons, completed_ids, lesson):
    """Where to go after completing `lesson`: the next lesson still to do after it in course
    order, else the first one still to do (locked lessons skipped), else None."""
    locked = locked_lesson_ids(course, lessons, completed_ids)
    todo = [item for item in lessons if item.id not in completed_ids and item.id not in locked]
    ids = [item.id for item in lessons]
    position = ids.index(lesson.id) if lesson.id in ids else -1
    after = [item for item in todo if ids.index(item.id) > position]
    return (after or todo or [None])[0]


def recompute_progress(enrolment, lessons=None, completed_ids=None):
    """Store the enrolment's lesson counts, percentage and next lesson."""
    lessons = course_lessons(enrolment.course) if lessons is None else lessons
    completed_ids = completed_lesson_ids(enrolment) if completed_ids is None else completed_ids
    done = sum(1 for lesson in lessons if lesson.id in completed_ids)
    total = len(lessons)
    next_lesson = next((lesson for lesson in lessons if lesson.id not in completed_ids), None)
    values = {
        "lessons_completed": done,
        "lessons_total": total,
        "progress_percent": (100 * done) // total if total else 0,
        "next_lesson_id": next_lesson.id if next_lesson else None,
        "last_activity_at": timezone.now(),
    }
    Enrolment.objects.filter(pk=enrolment.pk).update(**values)
    for name, value in values.items():
        setattr(enrolment, name, value)
    return done == total and total > 0


@transaction.atomic
def enrol(user, course, due_at=None):
    """Enrol the learner (or re-activate their enrolment). Returns (enrolment, created)."""
    latest = Enrolment.objects.filter(user=user, course=course).order_by("-cycle").first()
    if latest is not None:
        if latest.unenrolled_at is not None:
            latest.unenrolled_at = None
            latest.save(update_fields=["unenrolled_at"])
        return latest, False
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(user=user, course=course, cycle=1, due_at=due_at)
    except IntegrityError:
        # A second request enrolled the learner at the same moment: use that enrolment.
        return Enrolment.objects.get(user=user, course=course, cycle=1), False
    recompute_progress(enrolment)
    transaction.on_commit(lambda: enrolled.send(sender=Enrolment, enrolment=enrolment))
    return enrolment, True


@transaction.atomic
def recertify(user, course):
    """Open a new cycle of the course (fresh progress, history kept) for a learner whose
    certificate has expired or expires soon. Returns the new enrolment, or None if not allowed."""
    from courses.models import Certificate

    latest = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=course)
        .order_by("-cycle")
        .first()
    )
    if latest is None or latest.completed_at is None:
        return None
    certificate = Certificate.objects.filter(enrolment=latest).first()
    if certificate is None or not certificate.can_recertify:
        return None
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user,
                course=course,
                cycle=latest.cycle + 1,
                due_at=latest.due_at,
                jurisdiction_id=latest.jurisdiction_id,  # where they work stays the same
            )
    except IntegrityError:
        return Enrolment.objects.get(user=user, course=course, cycle=latest.cycle + 1)
    recompute_progress(enrolment)
    transaction.on_commit(lambda: enrolled.send(sender=Enrolment, enrolment=enrolment))
    return enrolment


def holder_name(user):
    """The name a certificate would carry (the user model's `certificate_name`: the name on
    certificate, else the full name), or "" when the person has given none. Never an email
    address, even one typed into a name field."""
    name = (getattr(user, "certificate_name", "") or "").strip()
    if "@" in name:
        try:
            validate_email(name)
        except ValidationError:
            return name
        return ""
    return name


def earned_without_certificate(user):
    """The user's completed enrolments (any cycle) that have no certificate yet."""
    return (
        Enrolment.objects.filter(user=user, completed_at__isnull=False, certificate__isnull=True)
        .select_related("course", "user")
        .order_by("completed_at", "pk")
    )


def awaiting_certificate_name(user):
    """Completed enrolments whose certificate waits for the learner to give a name: empty for
    anonymous visitors, for learners with a name, and when nothing is waiting."""
    if not user.is_authenticated or holder_name(user):
        return []
    return list(earned_without_certificate(user))


def completion_summary(user, enrolment):
    """What the course-completion page shows for a completed enrolment: its certificate (or
    the wait for a name), and other courses for the same audiences that the learner does not
    take yet."""
    from courses.content.locales import default_locale_id
    from courses.models import Certificate, CoursePage

    course = enrolment.course
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    taking = Enrolment.objects.active().filter(user=user).values("course_id")
    other_courses = (
        CoursePage.objects.live()
        .public()
        .filter(audiences__in=course.audiences.all(), locale_id=default_locale_id())
        .exclude(pk=course.pk)
        .exclude(pk__in=taking)
        .distinct()
        .order_by("path")[:6]
    )
    return {
        "course": course,
        "enrolment": enrolment,
        "certificate": certificate,
        "awaiting_name": [] if certificate else awaiting_certificate_name(user),
        "other_courses": list(other_courses),
    }


def unenrol(enrolment):
    """Leave the course. Progress and history are kept; enrolling again resumes."""
    unenrolled.send(sender=Enrolment, enrolment=enrolment)
    Enrolment.objects.filter(pk=enrolment.pk, unenrolled_at__isnull=True).update(
        unenrolled_at=timezone.now()
    )


# Re-opening the lesson recorded last, within this window, writes nothing: the record already
# says where the learner is, and time on the lesson counts from when they opened it.
REOPEN_WINDOW_SECONDS = 5 * 60


def record_lesson_opened(enrolment, lesson, last_opened_at=None, has_row=None):
    """Note that the learner opened the lesson now (for resume and time spent); skip both
    writes when it is the lesson last recorded, within REOPEN_WINDOW_SECONDS. Callers that
    loaded the lesson's progress row pass `has_row` and its `last_opened_at`."""
    now = timezone.now()
    if has_row is None:
        found = list(
            LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).values_list(
                "last_opened_at", flat=True
            )[:1]
        )
        has_row = bool(found)
        last_opened_at = found[0] if found else None
    last_activity = enrolment.last_activity_at
    if (
        last_opened_at is not None
        and last_activity is not None
        and last_opened_at >= last_activity
        and (now - last_activity).total_seconds() < REOPEN_WINDOW_SECONDS
    ):
        return False
    updated = (
        LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).update(last_opened_at=now)
        if has_row
        else 0
    )
    if not updated:
        try:
            with transaction.atomic():
                LessonProgress.objects.create(
                    enrolment=enrolment, lesson=lesson, last_opened_at=now
                )
        except IntegrityError:
            pass  # opened in another tab at the same moment
        else:
            lesson_first_opened.send(sender=Enrolment, enrolment=enrolment, lesson=lesson)
    Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=now)
    enrolment.last_activity_at = now
    return True


def lesson_progress_rows(enrolment):
    """The enrolment's progress rows by lesson id: (completed_at, last_opened_at), one query."""
    if enrolment is None:
        return {}
    rows = LessonProgress.objects.filter(enrolment=enrolment).values_list(
        "lesson_id", "completed_at", "last_opened_at"
    )
    return {lesson_id: (completed, opened) for lesson_id, completed, opened in rows}


def minimum_time_seconds(course, lesson):
    """How long a learner must have had the lesson open before completing it: the course's
    share of the lesson's estimated minutes (0 when the course sets no minimum)."""
    percent = getattr(course, "minimum_lesson_time_percent", 0) or 0
    return (lesson.estimated_minutes or 0) * 60 * percent // 100


def minimum_time_left(enrolment, lesson, now=None):
    """Seconds still to wait before the lesson can be completed in this enrolment (0: none).

    Measured on the server from when the learner first opened the lesson in this cycle, so
    reloading the page does not restart the clock; a lesson never opened has it all to go.
    Reads only: a refusal saves nothing."""
    required = minimum_time_seconds(enrolment.course, lesson)
    if not required:
        return 0
    opened = (
        LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson)
        .values_list("first_opened_at", flat=True)
        .first()
    )
    if opened is None:
        return required
    spent = ((now or timezone.now()) - opened).total_seconds()
    return max(0, int(required - spent + 0.999))


def describe_wait(seconds):
    """ "3 minutes", "1 minute", "40 seconds": how long is left, for the learner."""
    if seconds >= 60:
        minutes = (seconds + 59) // 60
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}


def duration_words():
    return (_("less than a minute"), _("none yet"), _("%(m)s min"), _("%(h)s h %(m)s min"))


def format_duration(seconds, words=None):
    """Time on task for people: "less than a minute", "25 min", "1 h 5 min". `words`: the
    phrases from `duration_words()`, when formatting many."""
    minutes = (seconds or 0) // 60
    if minutes < 1:
        if words:
            return words[0] if seconds else words[1]
        return _("less than a minute") if seconds else _("none yet")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return (words[2] if words else _("%(m)s min")) % {"m": minutes}
    return (words[3] if words else _("%(h)s h %(m)s min")) % {"h": hours, "m": minutes}


def lesson_times_html(lessons):
    """The list items of time on task per lesson, from `time_on_task`'s (title, seconds):
    "<li>Title: 25 min</li>", each title escaped (built here, not by a template loop: My
    learning lists every lesson opened in each course)."""
    from courses.content.outline import format_html

    words = duration_words()
    return mark_safe(  # noqa: S308 (each value escaped by format_html)
        "".join(
            format_html("<li>{}: {}</li>", title, format_duration(seconds, words))
            for title, seconds in lessons
        )
    )


def time_on_task(enrolments):
    """Time recorded on each enrolment's lessons (one query): by enrolment id, a dict with the
    total `seconds` and `lessons`, a list of (lesson title, seconds) in course order."""
    ids = [e.pk for e in enrolments]
    times = {pk: {"seconds": 0, "lessons": []} for pk in ids}
    if not ids:
        return times
    rows = (
        LessonProgress.objects.filter(enrolment_id__in=ids)
        .order_by("enrolment_id", "lesson__path")
        .values_list("enrolment_id", "lesson__title", "time_spent_seconds")
    )
    for enrolment_id, title, seconds in rows:
        times[enrolment_id]["seconds"] += seconds
        times[enrolment_id]["lessons"].append((title, seconds))
    return times


@dataclass
class CompletionResult:
    lesson_newly_completed: bool = False
    course_newly_completed: bool = False
    enrolment: Enrolment | None = None
    lessons: list = field(default_factory=list)


def complete_lesson(enrolment, lesson):
    """Mark the lesson complete for this enrolment; idempotent and safe under races."""
    now = timezone.now()
    with transaction.atomic():
        # Serialise completions of one enrolment (a row lock on PostgreSQL; SQLite
        # serialises writers anyway). Lock only the enrolment row: locking the joined course
        # page rows too would let parallel requests take the locks in different orders.
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course")
            .get(pk=enrolment.pk)
        )
        try:
            with transaction.atomic():
                progress, _created = LessonProgress.objects.get_or_create(
                    enrolment=enrolment, lesson=lesson, defaults={"last_opened_at": now}
                )
        except IntegrityError:
            progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
        opened = progress.last_opened_at or progress.first_opened_at or now
        spent = int(min(max((now - opened).total_seconds(), 0), LESSON_TIME_CAP_SECONDS))
        newly = LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
            completed_at=now, time_spent_seconds=F("time_spent_seconds") + spent
        )
        lessons = course_lessons(enrolment.course)
        course_newly = _complete_course_if_done(enrolment, lessons, now)
        if newly:
            transaction.on_commit(
                lambda: lesson_completed.send(sender=Enrolment, enrolment=enrolment, lesson=lesson)
            )
    return CompletionResult(bool(newly), course_newly, enrolment, lessons)


def _complete_course_if_done(enrolment, lessons, now):
    """Store fresh progress; when every lesson is done, record the completion exactly once
    and send `course_completed` after commit. Returns whether it was completed now."""
    if not recompute_progress(enrolment, lessons=lessons):
        return False
    course_newly = bool(
        Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
            completed_at=now
        )
    )
    if course_newly:
        enrolment.completed_at = now
        transaction.on_commit(lambda: course_completed.send(sender=Enrolment, enrolment=enrolment))
    return course_newly


def finish_course(enrolment):
    """Complete the course for a learner who has done every lesson it has now: lessons they
    had left may have been removed since, and removing content never completes a course by
    itself. Returns whether the course was completed now (False if lessons remain)."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course")
            .get(pk=enrolment.pk)
        )
        if enrolment.completed_at is not None:
            return False
        return _complete_course_if_done(enrolment, course_lessons(enrolment.course), timezone.now())


# --- Where the learner works ------------------------------------------------------------


def choice_for_code(course, code):
    """The course's choice with this code, or None (not offered)."""
    return next((c for c in where.course_choices(course) if c.code == (code or "").strip()), None)


def cohort_jurisdiction(user, course):
    """The jurisdiction of a cohort the learner belongs to that takes this course (the most
    recently joined), if the course offers it; else None."""
    offered = {c.pk for c in where.course_choices(course) if c.pk}
    if not offered or not user.is_authenticated:
        return None
    jurisdiction_id = (
        CohortMembership.objects.filter(
            user=user,
            cohort__courses=course,
            cohort__jurisdiction__in=offered,
        )
        .order_by("-pk")
        .values_list("cohort__jurisdiction", flat=True)
        .first()
    )
    return next((c for c in where.course_choices(course) if c.pk == jurisdiction_id), None)


def set_jurisdiction(enrolment, choice):
    """Record where the learner works (a Choice; general clears it). Progress is untouched."""
    jurisdiction_id = choice.pk if choice and choice.code != where.GENERAL else None
    if enrolment.jurisdiction_id != jurisdiction_id:
        Enrolment.objects.filter(pk=enrolment.pk).update(jurisdiction_id=jurisdiction_id)
        enrolment.jurisdiction_id = jurisdiction_id
    return enrolment
