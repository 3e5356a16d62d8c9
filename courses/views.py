from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import CoursePage, LessonPage, Reflection
from .sanitize import clean_plain_text

REFLECTION_MAX_LENGTH = 5000
SEARCH_MAX_LENGTH = 200


@login_required
@require_POST
def save_reflection(request, lesson_id, block_id):
    """Save (or, when emptied, delete) the learner's private answer to a reflection prompt."""
    lesson = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    if block_id not in lesson.reflection_block_ids():
        raise Http404(_("This lesson has no such reflection prompt."))
    anchor = f"{lesson.url}#reflection-{block_id}"
    try:
        text = clean_plain_text(request.POST.get("text", ""), max_length=REFLECTION_MAX_LENGTH)
    except ValueError:
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


def search(request):
    """Search published lessons and courses (Wagtail's search backend)."""
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    lessons = courses = None
    if query:
        courses = list(CoursePage.objects.live().public().search(query)[:5])
        lessons = Paginator(LessonPage.objects.live().public().search(query), 20).get_page(
            request.GET.get("page")
        )
    return render(
        request, "courses/search.html", {"query": query, "lessons": lessons, "courses": courses}
    )
