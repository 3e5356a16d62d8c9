from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.cohorts import services as cohort_services
from courses.content import page_cache
from courses.content.locales import in_language, localized, source_page
from courses.content.sanitize import TooLong, plain_text
from courses.learning import services as progress
from courses.learning.completion import unmet_requirements
from courses.models import (
    CertificateStatus,
    CompletionRule,
    CoursePage,
    Enrolment,
    LessonPage,
    Reflection,
)
from courses.models import jurisdictions as where
from courses.responses import refuse

REFLECTION_MAX_LENGTH = 5000


@login_required
@require_POST
def save_reflection(request, lesson_id, block_id):
    """Save (or, when emptied, delete) the learner's private answer to a reflection prompt."""
    page = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    if block_id not in page.reflection_block_ids():
        raise Http404(_("This lesson has no such reflection prompt."))
    anchor = f"{page.get_url(request)}#reflection-{block_id}"
    lesson = source_page(page)
    try:
        text = plain_text(request.POST.get("text", ""), max_length=REFLECTION_MAX_LENGTH)
    except TooLong:
        messages.error(
            request,
            _("Your answer is too long: keep it under %(n)s characters. Nothing was saved.")
            % {"n": REFLECTION_MAX_LENGTH},
        )
        return redirect(anchor)
    if text:
        Reflection.objects.update_or_create(
            user=request.user, lesson=lesson, block_id=block_id, defaults={"text": text}
        )
        messages.success(request, _("Your answer was saved. Only you can see it."))
    else:
        Reflection.objects.filter(user=request.user, lesson=lesson, block_id=block_id).delete()
        messages.success(request, _("Your answer was cleared."))
    return redirect(anchor)


def _live_course(course_id):
    """The course a request names, as its source page (in any language: progress belongs
    to the source course, `courses.content.locales`)."""
    return source_page(get_object_or_404(CoursePage.objects.live().public(), pk=course_id))


def refuse_on_course(request, course, message, status=403):
    """`refuse` with a link back to the course."""
    return refuse(
        request,
        message,
        status,
        link_url=localized(course).get_url(request),
        link_text=_("Back to the course"),
    )


@login_required
@require_POST
def enrol(request, course_id):
    course = _live_course(course_id)
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None and not course.allow_self_enrolment:
        return refuse_on_course(
            request,
            course,
            _(
                "This course is open only to members of a cohort. Ask your organisation for an "
                "invitation link."
            ),
        )
    chosen = None
    if where.asks_learners(course):
        code = request.POST.get("jurisdiction", "")
        chosen = progress.choice_for_code(course, code) if code else None
        if code and chosen is None:
            return refuse_on_course(
                request,
                course,
                _("Choose where you work from the list. Nothing was changed."),
                400,
            )
    enrolment, created = progress.enrol(request.user, course)
    if chosen is not None:
        progress.set_jurisdiction(enrolment, chosen)
    elif created:
        progress.set_jurisdiction(enrolment, progress.cohort_jurisdiction(request.user, course))
    if created:
        messages.success(request, _("You are enrolled. Your progress is saved as you go."))
    else:
        messages.info(request, _("Welcome back: you can carry on where you left off."))
    target = enrolment.next_lesson or course
    return redirect(localized(target).get_url(request))


def _refuse_not_enrolled(request, course):
    """The answer to a learner acting on a course they are not enrolled in (403)."""
    return refuse_on_course(
        request,
        course,
        _("Enrol in %(course)s to record your progress.") % {"course": course.title},
    )


@login_required
@require_POST
def change_jurisdiction(request, course_id):
    """The learner says where they work: lessons then show that jurisdiction's duties.
    Only their own, current enrolment changes; their progress is kept."""
    course = _live_course(course_id)
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None:
        return refuse_on_course(
            request,
            course,
            _("You are not enrolled in this course."),
            404,
        )
    chosen = progress.choice_for_code(course, request.POST.get("jurisdiction", ""))
    if chosen is None:
        return refuse_on_course(
            request,
            course,
            _("Choose where you work from the list. Nothing was changed."),
            400,
        )
    progress.set_jurisdiction(enrolment, chosen)
    messages.success(
        request,
        _("Lessons now show guidance for %(name)s. Your progress is kept.") % {"name": chosen.name},
    )
    return redirect(localized(course).get_url(request) + "#where-you-work")


@login_required
@require_POST
def finish_course(request, course_id):
    """Complete a course whose every remaining lesson is done (after lessons were removed)."""
    course = _live_course(course_id)
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None:
        return _refuse_not_enrolled(request, course)
    if progress.finish_course(enrolment):
        messages.success(
            request, _("You have completed %(course)s. Well done.") % {"course": course.title}
        )
    elif enrolment.completed_at is None:
        messages.info(request, _("There are lessons still to complete. Your progress is saved."))
        return redirect(localized(course).get_url(request))
    return redirect("courses:course_complete", course.pk)


@login_required
@require_POST
def recertify(request, course_id):
    """Start the course again to renew an expired or soon-expiring certificate."""
    course = _live_course(course_id)
    if not Enrolment.objects.filter(user=request.user, course=course).exists():
        return _refuse_not_enrolled(request, course)
    enrolment = progress.recertify(request.user, course)
    if enrolment is None:
        return refuse_on_course(
            request,
            course,
            _("You can renew a certificate when it has expired or is about to expire."),
        )
    messages.success(
        request,
        _("You have started %(course)s again. Your earlier certificate and history are kept.")
        % {"course": course.title},
    )
    return redirect(localized(enrolment.next_lesson or course).get_url(request))


def unenrol(request, course_id):
    """GET asks for confirmation; POST leaves the course, keeping the learner's history."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = _live_course(course_id)
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None:
        return refuse_on_course(
            request,
            course,
            _("You are not enrolled in this course."),
            404,
        )
    if request.method == "POST":
        progress.unenrol(enrolment)
        messages.success(
            request,
            _("You have left %(course)s. Your progress is kept if you enrol again.")
            % {"course": course.title},
        )
        return redirect("courses:dashboard")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"course": localized(course), "enrolment": enrolment}
    return render(request, "courses/learning/unenrol.html", context)


@login_required
@require_POST
def complete_lesson(request, lesson_id):
    """Mark complete and continue: idempotent, refuses what the learner may not do."""
    page = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    lesson = source_page(page)
    course = lesson.course
    if course is None or not course.live:
        raise Http404(_("This lesson is not part of a published course."))
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None:
        return _refuse_not_enrolled(request, course)
    lessons = progress.course_lessons(course)
    completed = progress.completed_lesson_ids(enrolment)
    if lesson.id in progress.locked_lesson_ids(course, lessons, completed):
        return refuse_on_course(
            request,
            course,
            _("This lesson unlocks when you complete the earlier modules."),
        )
    wait = 0 if lesson.id in completed else progress.minimum_time_left(enrolment, lesson)
    if wait:
        messages.error(
            request,
            _(
                "Take your time with this lesson: you can mark it complete in %(wait)s. "
                "Nothing was saved yet."
            )
            % {"wait": progress.describe_wait(wait)},
        )
        return redirect(page.get_url(request))
    if lesson.id not in completed and course.completion_rule == CompletionRule.LESSONS_AND_QUIZZES:
        unmet = unmet_requirements(request.user, lesson)
        if unmet:
            for message in unmet:
                messages.error(request, message)
            return redirect(page.get_url(request))
    result = progress.complete_lesson(enrolment, lesson)
    if result.enrolment.completed_at is not None:
        return redirect("courses:course_complete", course.pk)
    next_lesson = progress.lesson_to_open_after(
        course, result.lessons, progress.completed_lesson_ids(result.enrolment), lesson
    )
    if next_lesson is None:
        return redirect(localized(course).get_url(request))
    return redirect(localized(next_lesson).get_url(request))


@login_required
def course_complete(request, course_id):
    """The learner's course-completion page: their certificate and what to do next. Only for
    the learner whose current cycle of the course is complete; a 404 for anyone else."""
    course = source_page(get_object_or_404(CoursePage, pk=course_id))
    enrolment = progress.current_enrolment(request.user, course)
    if enrolment is None or enrolment.completed_at is None:
        raise Http404(_("You have not completed this course."))
    context = progress.completion_summary(request.user, enrolment)
    # Shown in the learner's language; the records stay with the source course.
    pages = in_language([course, *context["other_courses"]], CoursePage)
    context["course"] = pages[course.pk]
    context["other_courses"] = [pages[other.pk] for other in context["other_courses"]]
    return render(request, "courses/learning/course_complete.html", context)


# What a My learning card reads of its course and next lesson: the title and what their URL
# is worked out from. The rest (bodies, objectives, SEO fields) is not loaded.
CARD_PAGE_FIELDS = frozenset(
    {"id", "page_ptr", "title", "slug", "path", "depth", "url_path", "live", "locale"}
)


def _card_page_defer():
    return [
        f"{relation}__{field.name}"
        for relation, model in (("course", CoursePage), ("next_lesson", LessonPage))
        for field in model._meta.concrete_fields
        if field.name not in CARD_PAGE_FIELDS
    ]


@login_required
def dashboard(request):
    """My learning: current courses with progress and where to resume, then completed ones."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(user=request.user)
        .select_related("course", "next_lesson", "cohort__organisation")
        .defer(*_card_page_defer())
        .order_by("completed_at", "due_at", "-last_activity_at")
    )
    from courses.models import Certificate

    current = [e for e in enrolments if e.completed_at is None and e.course.live]
    completed = [e for e in enrolments if e.completed_at is not None]
    # The completion page shows the latest cycle: link it from that cycle's row only.
    latest_cycle = {}
    for enrolment in enrolments:
        latest_cycle[enrolment.course_id] = max(
            latest_cycle.get(enrolment.course_id, 0), enrolment.cycle
        )
    for enrolment in completed:
        enrolment.is_latest_cycle = enrolment.cycle == latest_cycle[enrolment.course_id]
    times = progress.time_on_task(enrolments)
    for enrolment in enrolments:
        enrolment.time_on_task = progress.format_duration(times[enrolment.pk]["seconds"])
        enrolment.lesson_times_html = progress.lesson_times_html(times[enrolment.pk]["lessons"])
    certificates = list(Certificate.objects.filter(user=request.user).order_by("-issued_at"))
    renewing = {e.course_id for e in current if e.cycle > 1}
    seen = set()
    for certificate in certificates:
        certificate.current_status = certificate.status()
        # Offer renewal on the newest certificate of a course, unless already renewing.
        certificate.is_latest = (
            certificate.course_id not in seen and certificate.course_id not in renewing
        )
        seen.add(certificate.course_id)
    # The cards link each course and lesson in the learner's language (one query, none in
    # the default language).
    pages = in_language(
        [e.course for e in enrolments] + [e.next_lesson for e in current if e.next_lesson_id]
    )
    for enrolment in enrolments:
        enrolment.course_page = pages[enrolment.course_id]
        enrolment.next_lesson_page = pages.get(enrolment.next_lesson_id)
    page_cache.find_site(request)  # for the cards' links, without a query
    return render(
        request,
        "courses/learning/dashboard.html",
        {
            "current": current,
            "completed": completed,
            "certificates": certificates,
            "awaiting_name": progress.awaiting_certificate_name(request.user),
            **cohort_services.learner_cohort_context(request.user),
            "now": timezone.now(),
            "CertificateStatus": CertificateStatus,
        },
    )
