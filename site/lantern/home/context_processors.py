from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language, get_language_bidi

from courses.cohorts.access import nav_cache_key, nav_can_manage
from courses.content import locales, page_cache
from courses.models import CourseIndexPage
from lantern.home import admin_link, versioned
from lantern.home.admin_link import show_admin_link

COURSES_URL_CACHE_SECONDS = 10 * 60
COURSES_URL_VERSION_KEY = "lantern:courses-url:version"


def _courses_url_key(request):
    # Per host and language: the link carries the language prefix (/es/courses/).
    return f"lantern:courses-url:{request.get_host()}:{get_language()}"


def _find_courses_url(request):
    """The first public course index's URL, its translation's in the learner's language
    ("" when there is none)."""
    index = (
        CourseIndexPage.objects.live()
        .public()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("path")
        .first()
    )
    return locales.localized(index).get_url(request) if index else ""


class _Header:
    """The header's cached values for one request, read in one cache round trip: the Courses
    link (per host and language, until pages or restrictions change), the Admin flag (until
    groups or permissions change) and the Manage flag, with the version tokens the first two
    were stored under (`lantern.home.versioned`). Anything missing or stale is worked out
    and stored again."""

    def __init__(self, request):
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def signed_in(self):
        return self.user is not None and self.user.is_authenticated

    def keys(self):
        keys = [COURSES_URL_VERSION_KEY, _courses_url_key(self.request)]
        if self.signed_in:
            keys += [
                admin_link.VERSION_KEY,
                admin_link.flag_key(self.user.pk),
                nav_cache_key(self.user.pk),
            ]
        return keys

    @cached_property
    def found(self):
        keys = self.keys()
        found = page_cache.prefetched(self.request, keys)
        return found if found is not None else cache.get_many(keys)

    def courses_url(self):
        key = _courses_url_key(self.request)
        url = versioned.fresh(self.found, COURSES_URL_VERSION_KEY, key)
        if url is None:
            token = self.found.get(COURSES_URL_VERSION_KEY) or versioned.current(
                COURSES_URL_VERSION_KEY
            )
            url = _find_courses_url(self.request)
            versioned.store(COURSES_URL_VERSION_KEY, key, url, COURSES_URL_CACHE_SECONDS, token)
        return url

    def show_admin(self):
        user = self.user
        if not self.signed_in or user.is_staff or user.is_superuser:
            return show_admin_link(user)
        value = versioned.fresh(self.found, admin_link.VERSION_KEY, admin_link.flag_key(user.pk))
        return bool(value) if value is not None else show_admin_link(user)

    def can_manage(self):
        if not self.signed_in:
            return False
        value = self.found.get(nav_cache_key(self.user.pk))
        return bool(value) if value is not None else nav_can_manage(self.user)


def header_keys(request):
    """The header's cache keys, for `HeaderPrefetchMiddleware`."""
    return _Header(request).keys()


def forget_courses_url(**kwargs):
    """A page was published, unpublished, moved or deleted, or a restriction changed."""
    versioned.bump(COURSES_URL_VERSION_KEY)


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
