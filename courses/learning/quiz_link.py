"""How the courses app uses quizzes: a lesson may hold a quiz that must be passed, and a
passed attempt completes the lessons that hold that quiz. Quizzes know nothing of courses.

A pass counts for the enrolment cycle in which the attempt was started, so renewing a
certificate means passing the quizzes again; `attempt_window` tells quizzes (through its
`QUIZZES_ATTEMPT_WINDOW` setting) that attempt limits start afresh with each cycle too.
A lesson whose quiz is unpublished or deleted cannot be completed (it fails closed)."""

from urllib.parse import urlsplit

from django.db.models import Max
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from quizzes.services import has_passed


def source_lessons(quiz):
    """The lessons holding the quiz in the default locale: progress, attempt windows and
    completions belong to them, never to their translations or aliases
    (`courses.content.locales`)."""
    from django.conf import settings

    from courses.models import LessonPage

    return LessonPage.objects.filter(quiz=quiz, locale__language_code=settings.LANGUAGE_CODE)


def quiz_unavailable_message():
    return _(
        "This lesson's quiz is not available at the moment, so the lesson cannot be completed "
        "yet. Your progress is kept: please come back later, or ask your organisation or the "
        "site team."
    )


def quiz_requirement(user, lesson):
    """Completion requirement: a lesson that holds a quiz needs a pass in the current cycle,
    and cannot be completed while its quiz is unpublished or deleted."""
    if not lesson.quiz_id and not lesson.quiz_required:
        return None
    quiz = lesson.quiz if lesson.quiz_id else None
    if quiz is None or not quiz.live:
        return quiz_unavailable_message()
    from courses.learning import services as progress

    course = lesson.course
    enrolment = progress.current_enrolment(user, course) if course else None
    since = enrolment.enrolled_at if enrolment else None
    if has_passed(user, quiz, since=since):
        return None
    return _("Pass the quiz “%(quiz)s” to complete this lesson.") % {"quiz": quiz.title}


def attempt_window(user, quiz):
    """For quizzes' `QUIZZES_ATTEMPT_WINDOW`: attempts count from the start of the learner's
    latest enrolment cycle in a course holding the quiz (None: not in such a course)."""
    from courses.models import Enrolment

    lesson_paths = list(source_lessons(quiz).values_list("path", flat=True))
    if not lesson_paths:
        return None
    enrolments = (
        Enrolment.objects.active()
        .filter(user=user)
        .order_by()
        .values("course__path")
        .annotate(start=Max("enrolled_at"))
    )
    starts = [
        row["start"]
        for row in enrolments
        if any(path.startswith(row["course__path"]) for path in lesson_paths)
    ]
    return max(starts, default=None)


def learner_jurisdiction(user, quiz):
    """For quizzes' `QUIZZES_LEARNER_JURISDICTION`: the jurisdiction code on the learner's
    enrolment in a course holding the quiz (the latest such enrolment), or "" (general)."""
    from courses.models import Enrolment

    lesson_paths = list(source_lessons(quiz).values_list("path", flat=True))
    if not lesson_paths:
        return ""
    enrolments = (
        Enrolment.objects.active()
        .filter(user=user)
        .order_by("-enrolled_at")
        .values_list("course__path", "jurisdiction__code")
    )
    for course_path, code in enrolments:
        if any(path.startswith(course_path) for path in lesson_paths):
            return code or ""
    return ""


def lessons_holding(user, quiz):
    """(lesson, enrolment) for each live lesson holding the quiz in a course the learner is
    enrolled in now."""
    from courses.learning import services as progress

    for lesson in source_lessons(quiz).live():
        course = lesson.course
        enrolment = progress.current_enrolment(user, course) if course else None
        if enrolment is not None:
            yield lesson, enrolment


def complete_lessons_holding(user, quiz):
    """After a pass, complete the lessons holding the quiz in the courses the learner takes
    (lessons still locked behind earlier modules, passes from an earlier cycle, and lessons
    not yet open for the course's minimum time stay as they are)."""
    from courses.learning import services as progress

    for lesson, enrolment in lessons_holding(user, quiz):
        course = lesson.course
        if not has_passed(user, quiz, since=enrolment.enrolled_at):
            continue
        if progress.minimum_time_left(enrolment, lesson):
            continue
        completed = progress.completed_lesson_ids(enrolment)
        locked = progress.locked_lesson_ids(course, progress.course_lessons(course), completed)
        if lesson.id not in locked:
            progress.complete_lesson(enrolment, lesson)


def _safe_next_path(request):
    """The path of the request's `next`, when it is a local URL; else ""."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return urlsplit(target).path
    return ""


def lesson_to_continue(user, quiz, attempt, request):
    """The lesson a passed attempt continues: the one holding the quiz in a course the learner
    takes, the lesson named by a safe local `next` first. None when the pass does not count
    for the learner's current cycle."""
    from courses.learning import services as progress

    lessons = list(source_lessons(quiz).live().order_by("path"))
    next_path = _safe_next_path(request)
    lessons.sort(key=lambda lesson: lesson.get_url(request) != next_path)
    for lesson in lessons:
        course = lesson.course
        enrolment = progress.current_enrolment(user, course) if course else None
        if enrolment is None or attempt.started_at < enrolment.enrolled_at:
            continue
        return lesson
    return None


def next_step(user, quiz, attempt, request):
    """For quizzes' `QUIZZES_NEXT_STEP`: after a pass, "Continue" completes the lesson that
    holds the quiz and goes on to the next lesson (or the course-completion page)."""
    lesson = lesson_to_continue(user, quiz, attempt, request)
    if lesson is None:
        return None
    return {"url": reverse("courses:complete_lesson", args=[lesson.pk]), "label": _("Continue")}


def lessons_requiring(quiz):
    """The live lessons that hold this quiz, described for editors ("Course › Lesson")."""
    from courses.models import CoursePage

    lessons = list(source_lessons(quiz).live().order_by("path"))
    if not lessons:
        return []
    courses = list(CoursePage.objects.all().only("title", "path", "depth"))
    described = []
    for lesson in lessons:
        course = next((c for c in courses if lesson.path.startswith(c.path)), None)
        described.append(f"{course.title} › {lesson.title}" if course else lesson.title)
    return described


def warn_on_quiz_unpublish(request, obj):
    """before_unpublish: after the confirmation page's warning, say again which lessons now
    cannot be completed. It does not block the unpublishing."""
    from django.contrib import messages

    from quizzes.models import Quiz

    if not isinstance(obj, Quiz):
        return None
    lessons = lessons_requiring(obj)
    if lessons:
        messages.warning(
            request,
            _(
                "Learners cannot complete these lessons until the quiz is published again: "
                "%(lessons)s."
            )
            % {"lessons": "; ".join(lessons)},
        )
    return None
