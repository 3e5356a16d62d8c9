from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from courses.cohorts.access import nav_can_manage
from courses.models import CourseIndexPage
from lantern.home.admin_link import show_admin_link

COURSES_URL_CACHE_SECONDS = 10 * 60
COURSES_URL_VERSION_KEY = "lantern:courses-url:version"


def _courses_url(request):
    """The first public course index's URL, cached per host until pages or restrictions change."""
    version = cache.get_or_set(COURSES_URL_VERSION_KEY, 1, None)
    key = f"lantern:courses-url:{version}:{request.get_host()}"
    url = cache.get(key)
    if url is None:
        index = CourseIndexPage.objects.live().public().order_by("path").first()
        url = index.get_url(request) if index else ""
        cache.set(key, url, COURSES_URL_CACHE_SECONDS)
    return url


def forget_courses_url(**kwargs):
    """A page was published, unpublished, moved or deleted, or a restriction changed."""
    try:
        cache.incr(COURSES_URL_VERSION_KEY)
    except ValueError:
        cache.set(COURSES_URL_VERSION_KEY, 2, None)


def lantern(request):
    """Values every page template needs: quick-exit target, site name, courses link, and
    whether to offer the manager area and the Admin link."""
    return {
        "quick_exit_url": settings.LANTERN_QUICK_EXIT_URL,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "courses_url": SimpleLazyObject(lambda: _courses_url(request)),
        "lantern_show_admin": SimpleLazyObject(
            lambda: show_admin_link(getattr(request, "user", None))
        ),
        "lantern_can_manage": SimpleLazyObject(
            lambda: nav_can_manage(getattr(request, "user", None))
        ),
    }
