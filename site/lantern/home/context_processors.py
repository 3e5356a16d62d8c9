from django.conf import settings
from django.utils.functional import SimpleLazyObject

from courses.cohorts.access import nav_can_manage
from courses.models import CourseIndexPage
from lantern.home.admin_link import show_admin_link


def _courses_url(request):
    index = CourseIndexPage.objects.live().public().order_by("path").first()
    return index.get_url(request) if index else ""


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
