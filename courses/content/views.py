"""Public views of the course content: search."""

import logging

from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.shortcuts import render

from courses.content import locales
from courses.content.sanitize import plain_text
from courses.models import CoursePage, LessonPage

SEARCH_MAX_LENGTH = 200

logger = logging.getLogger(__name__)


class UnreadableQuery(ValueError):
    """The search backend cannot parse the query (an unbalanced quote, for example)."""


def clean_query(raw):
    """The query as searched: one line of plain text (no control characters, which SQLite's
    full-text parser reads as the end of the string), at most SEARCH_MAX_LENGTH characters.
    Raises UnreadableQuery for a phrase quote left open."""
    query = " ".join(plain_text(raw or "").split())[:SEARCH_MAX_LENGTH].strip()
    if query.count('"') % 2:
        raise UnreadableQuery(query)
    return query


def _run_search(query, page):
    """Courses and a page of lessons matching the query, read in full here so that a query
    the backend cannot parse fails inside a savepoint (the request's transaction survives)."""
    try:
        with transaction.atomic():
            # The pages of the tree the learner reads (`courses.content.locales`).
            locale_id = locales.active_locale_id() or locales.default_locale_id()
            courses = list(
                CoursePage.objects.live().public().filter(locale_id=locale_id).search(query)[:5]
            )
            lessons = LessonPage.objects.live().public().filter(locale_id=locale_id)
            lessons = Paginator(lessons.search(query), 20).get_page(page)
            lessons.object_list = list(lessons.object_list)
    except DatabaseError as error:
        logger.warning("Search query refused by the backend: %r (%s)", query, error)
        raise UnreadableQuery(query) from error
    return courses, lessons


def search(request):
    """Search published lessons and courses (Wagtail's search backend). A query the search
    cannot understand is a 400 with an explanation, never a server error."""
    raw = request.GET.get("q") or ""
    lessons = courses = None
    try:
        query = clean_query(raw)
        if query:
            courses, lessons = _run_search(query, request.GET.get("page"))
    except UnreadableQuery as refused:
        context = {"query": str(refused), "unreadable": True}
        return render(request, "courses/content/search.html", context, status=400)
    context = {"query": query, "lessons": lessons, "courses": courses}
    return render(request, "courses/content/search.html", context)
