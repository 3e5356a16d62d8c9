from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language, get_language_bidi

from courses.cohorts.access import nav_cache_key, nav_can_manage
from courses.content import locales
from courses.models import CourseIndexPage
from lantern.home import admin_link
from lantern.home.admin_link import show_admin_link

COURSES_URL_CACHE_SECONDS = 10 * 60
COURSES_URL_VERSION_KEY = "lantern:courses-url:version"


def _courses_url(request):
    """The first public course index's URL (its translation's in the learner's language),
    cached per host and language until pages, locales or restrictions change."""
    version = cache.get_or_set(COURSES_URL_VERSION_KEY, 1, None)
    key = _courses_url_key(version, request)
    url = cache.get(key)
    if url is None:
        index = (
            CourseIndexPage.objects.live()
            .public()
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            .order_by("path")
            .first()
        )
        url = locales.localized(index).get_url(request) if index else ""
        cache.set(key, url, COURSES_URL_CACHE_SECONDS)
    return url


def _courses_url_key(version, request):
    # Per language too: the link carries the language prefix (/es/courses/).
    return f"lantern:courses-url:{version}:{request.get_host()}:{get_language()}"


class _Header:
    """The header's cached values for one request, read together: one cache round trip for
    the versions and the person's Manage flag, one for the Courses link and the Admin flag,
    instead of one or two for each. Anything not cached is worked out as before."""

    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def cached(self):
        signed_in = self.user is not None and self.user.is_authenticated
        first = [COURSES_URL_VERSION_KEY, admin_link.VERSION_KEY]
        if signed_in:
            first.append(nav_cache_key(self.user.pk))
        found = cache.get_many(first)
        keys = {}
        if found.get(COURSES_URL_VERSION_KEY) is not None:
            keys["courses_url"] = _courses_url_key(found[COURSES_URL_VERSION_KEY], self.request)
        if signed_in and found.get(admin_link.VERSION_KEY) is not None:
            keys["admin"] = admin_link.flag_key(found[admin_link.VERSION_KEY], self.user.pk)
        values = cache.get_many(list(keys.values())) if keys else {}
        cached = {name: values.get(key) for name, key in keys.items()}
        if signed_in:
            cached["manage"] = found.get(nav_cache_key(self.user.pk))
        return cached

    def courses_url(self):
        url = self.cached.get("courses_url")
        return url if url is not None else _courses_url(self.request)

    def show_admin(self):
        user = self.user
        if user is None or not user.is_authenticated or user.is_staff or user.is_superuser:
            return show_admin_link(user)
        value = self.cached.get("admin")
        return bool(value) if value is not None else show_admin_link(user)

    def can_manage(self):
        if self.user is None or not self.user.is_authenticated:
            return False
        value = self.cached.get("manage")
        return bool(value) if value is not None else nav_can_manage(self.user)


def forget_courses_url(**kwargs):
    """A page was published, unpublished, moved or deleted, or a restriction changed."""
    try:
        cache.incr(COURSES_URL_VERSION_KEY)
    except ValueError:
        cache.set(COURSES_URL_VERSION_KEY, 2, None)


def html_lang(language_code):
    """A BCP 47 tag for <html lang>: en-gb -> en-GB, es -> es."""
    language, _, region = (language_code or settings.LANGUAGE_CODE).partition("-")
    return f"{language}-{region.upper()}" if len(region) == 2 else language_code


def _languages():
    """The switcher's choices, each named in its own language (settings.LANGUAGES)."""
    return [{"code": code, "name_local": name} for code, name in settings.LANGUAGES]


def lantern(request):
    """Values every page template needs: quick-exit target, site name, the language (for
    <html lang dir> and the switcher), the home and courses links, and whether to offer the
    manager area and the Admin link."""
    header = _Header(request)
    return {
        "quick_exit_url": settings.LANTERN_QUICK_EXIT_URL,
        "html_lang": html_lang(get_language()),
        "html_dir": "rtl" if get_language_bidi() else "ltr",
        "home_url": SimpleLazyObject(lambda: reverse("wagtail_serve", args=[""])),
        "lantern_languages": SimpleLazyObject(_languages),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "courses_url": SimpleLazyObject(header.courses_url),
        "lantern_show_admin": SimpleLazyObject(header.show_admin),
        "lantern_can_manage": SimpleLazyObject(header.can_manage),
    }
