"""Public views of the course content: search."""

from django.core.paginator import Paginator
from django.shortcuts import render

from courses.models import CoursePage, LessonPage

SEARCH_MAX_LENGTH = 200


def search(request):
    """Search published lessons and courses (Wagtail's search backend)."""
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    lessons = courses = None
    if query:
        courses = list(CoursePage.objects.live().public().search(query)[:5])
        lessons = Paginator(LessonPage.objects.live().public().search(query), 20).get_page(
            request.GET.get("page")
        )
    context = {"query": query, "lessons": lessons, "courses": courses}
    return render(request, "courses/content/search.html", context)
