from django.conf import settings


def lantern(request):
    """Values every page template needs: the quick-exit target and the site name."""
    return {
        "quick_exit_url": settings.LANTERN_QUICK_EXIT_URL,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
