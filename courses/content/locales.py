"""Pages across languages (docs/translation.md, "Part 2: content").

Every page in a language other than the site's default is a translation or an alias of a
source page (the one in the default locale), sharing its `translation_key`. What a learner
does is recorded against the source pages, whichever language they read in: enrolments,
lesson progress, reflections, quiz links, completions, certificates, cohort reports. Two
mappings carry a page across:

- `source_page(page)`: the source page of a page a request arrived at (the views and pages
  call it where a page comes in, and use what it returns for every record);
- `in_language(pages)`: those (source) pages as the learner's language shows them (its live
  translation or alias, else the page itself), for links.

A language without a Locale has no pages of its own: it is served the default locale's pages
under its own prefix (/fr/…), and `LanguagePrefixMixin` keeps the links to them there.

Which locales exist is cached (forgotten when a Locale is saved or deleted), so neither
mapping costs a query for pages in the default locale, nor do links in the default language.
"""

import re
import threading
import time
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.coreutils import WAGTAIL_APPEND_SLASH, get_supported_content_language_variant
from wagtail.models import Locale, Page

LOCALES_KEY = "lantern:locales"
# Read from the shared cache at most once per request (and, outside requests, once every few
# seconds): pages call `is_source` and friends once per lesson of an outline.
_MEMO_SECONDS = 5
_memo = threading.local()


def locale_ids():
    """{language code: Locale id} of the locales that exist (from the cache)."""
    memo = getattr(_memo, "value", None)
    if memo is not None and time.monotonic() - memo[0] < _MEMO_SECONDS:
        return memo[1]
    ids = cache.get(LOCALES_KEY)
    if ids is None:
        ids = dict(Locale.objects.values_list("language_code", "pk"))
        cache.set(LOCALES_KEY, ids, None)
    _memo.value = (time.monotonic(), ids)
    return ids


def wants_read():
    """Whether the next `locale_ids()` would read the shared cache (so a round trip made
    anyway may bring them: `courses.content.page_cache`)."""
    memo = getattr(_memo, "value", None)
    return memo is None or time.monotonic() - memo[0] >= _MEMO_SECONDS


def remember(ids):
    """The locales, as read from the shared cache by someone else (None: not there)."""
    if ids is not None:
        _memo.value = (time.monotonic(), ids)


def forget_memo(**kwargs):
    """A new request reads the locales afresh (connected to `request_started`)."""
    _memo.value = None


def forget_locales():
    """A Locale was added, changed or deleted (now, and again after the commit)."""
    _memo.value = None
    cache.delete(LOCALES_KEY)

    def after_commit():
        _memo.value = None
        cache.delete(LOCALES_KEY)

    transaction.on_commit(after_commit)


def is_default_language(language=None):
    return content_language(language) == content_language(settings.LANGUAGE_CODE)


def content_language(language=None):
    """The content language for an interface language (default: the active one), or None."""
    try:
        return get_supported_content_language_variant(language or translation.get_language())
    except LookupError:
        return None


def default_locale_id():
    return locale_ids().get(content_language(settings.LANGUAGE_CODE))


def active_locale_id():
    """The Locale id of the active language, or None when it has no Locale (its learners are
    served the default locale's pages)."""
    return locale_ids().get(content_language())


def is_source(page):
    return page.locale_id == default_locale_id() or page.translation_key is None


def source_page(page):
    """The page in the default locale that `page` translates or aliases (of the same page
    type); `page` itself when it is one, or when it has no such page (made in another
    language first). One query for a translated page, none for a source page."""
    if page is None or is_source(page):
        return page
    cached = page.__dict__.get("_lantern_source")
    if cached is not None:
        return cached
    source = (
        type(page)
        ._default_manager.filter(
            translation_key=page.translation_key, locale_id=default_locale_id()
        )
        .first()
    )
    page.__dict__["_lantern_source"] = source or page
    return source or page


# A page's place in its tree, kept when a translation is shown with other content.
TREE_FIELDS = (
    "id",
    "page_ptr_id",
    "path",
    "depth",
    "numchild",
    "url_path",
    "slug",
    "locale_id",
    "translation_key",
    "alias_of_id",
    "live",
    "live_revision_id",
    "latest_revision_id",
    "has_unpublished_changes",
)


def published_version(page):
    """What learners may see of a page. wagtail-localize writes a translation saved as a
    draft onto the page itself (and turns an alias into a page then), so a translated page
    with unpublished changes is shown as it was last published: its live revision, or, for
    an alias never published as a translation, the source page's content."""
    if is_source(page) or not page.has_unpublished_changes:
        return page
    if page.live_revision_id:
        published = page.live_revision.as_object()
    else:
        source = source_page(page)
        if source is page:
            return page
        published = type(page)._default_manager.get(pk=source.pk)
    for name in TREE_FIELDS:
        if hasattr(published, name) and name in page.__dict__:
            setattr(published, name, page.__dict__[name])
    return published


def source_ids(pages):
    """{page id: source page id} for pages of one tree (one query unless they are all
    source pages)."""
    default = default_locale_id()
    mapping = {page.pk: page.pk for page in pages if page.locale_id == default}
    others = {page.translation_key: page.pk for page in pages if page.pk not in mapping}
    if others:
        rows = Page.objects.filter(translation_key__in=others, locale_id=default).values_list(
            "translation_key", "pk"
        )
        for key, pk in rows:
            mapping[others[key]] = pk
    for page in pages:
        mapping.setdefault(page.pk, page.pk)
    return mapping


def in_language(pages, model=None):
    """{page id: page to link to} for source pages: each one's live translation or alias in
    the active language's locale, else the page itself. One query, none when the active
    language is the default or has no Locale."""
    pages = [page for page in pages if page is not None]
    found = {page.pk: page for page in pages}
    if is_default_language():
        return found
    locale_id = active_locale_id()
    wanted = {page.translation_key: page.pk for page in pages if page.locale_id != locale_id}
    if locale_id is None or not wanted:
        return found
    rows = (model or Page)._default_manager.filter(
        translation_key__in=wanted, locale_id=locale_id, live=True
    )
    for page in rows:
        found[wanted[page.translation_key]] = page
    return found


def in_language_list(pages):
    """`pages` (a list or queryset of one page type) in the active language, in order."""
    pages = list(pages)
    found = in_language(pages, type(pages[0]) if pages else None)
    return [found[page.pk] for page in pages]


def localized(page):
    """One page in the active language (see `in_language`)."""
    if page is None:
        return None
    return in_language([page], type(page))[page.pk]


def page_at(request, path, language):
    """The live page that `path` (an address in `language`) shows, or None."""
    from django.http import Http404
    from django.urls import Resolver404, resolve
    from wagtail.models import Site

    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name != "wagtail_serve":
            return None
        site = Site.find_for_request(request)
        if site is None:
            return None
        try:
            page = site.root_page.localized.specific.route(
                request, [part for part in match.args[0].split("/") if part]
            ).page
        except Http404:
            return None
    return page if page.live else None


def same_page_in(request, path, from_language, to_language):
    """The address of the page at `path` (in `from_language`) in `to_language`: its
    translation or alias there, whatever its slug, or the source page; None when `path` is
    not a page."""
    page = page_at(request, path, from_language)
    if page is None:
        return None
    with translation.override(to_language):
        page = source_page(page)
        target = localized(page) if active_locale_id() else page
        return target.get_url(request)


# Wagtail's page-serving URL pattern (wagtail.urls), for the paths `_page_path` may build.
_SERVE_PATH = re.compile(r"^((?:[\w\-]+/)*)$" if WAGTAIL_APPEND_SLASH else r"^([\w\-/]*)$")
_serve_roots = {}


def _serve_root(language_code):
    """`reverse("wagtail_serve", args=("",))` in this language: the site root's address, with
    the language's prefix (remembered per URLconf and script prefix)."""
    key = (language_code, get_urlconf(), get_script_prefix())
    root = _serve_roots.get(key)
    if root is None:
        with translation.override(language_code):
            root = reverse("wagtail_serve", args=("",))
        _serve_roots[key] = root
    return root


def forget_serve_roots(setting=None, **kwargs):
    """The URLconf or the languages changed (`setting_changed`, in tests)."""
    if setting in (None, "ROOT_URLCONF", "LANGUAGE_CODE", "LANGUAGES", "WAGTAIL_I18N_ENABLED"):
        _serve_roots.clear()


def _page_path(url_path, root_path, language_code):
    """What `reverse("wagtail_serve", args=(url_path below root_path,))` gives in this
    language, without reversing: the root's address and the rest of the path, quoted as
    `reverse` quotes it. None for a path the pattern would not take (`reverse` decides)."""
    rest = url_path[len(root_path) :]
    if not url_path.startswith(root_path) or not _SERVE_PATH.match(rest):
        return None
    path = _serve_root(language_code) + quote(rest, safe=RFC3986_SUBDELIMS + "/~:@")
    if not WAGTAIL_APPEND_SLASH and path != "/":
        path = path.rstrip("/")
    return path


class LanguagePrefixMixin:
    """A page linked in a language that has no Locale keeps that language's prefix: the
    default locale's page is served there (Wagtail would link it in the default language,
    and the learner would drop out of their interface language).

    Links are worked out as Wagtail's `Page.get_url_parts` does, without a `reverse()` and a
    language switch per link (a page lists many): `_wagtail_url_parts` is the long way, used
    when a page belongs to more than one site or its path is one the shortcut cannot place,
    and the tests check that both give the same."""

    def get_url_parts(self, request=None):
        if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return self._wagtail_url_parts(request)
        possible_sites = self._get_relevant_site_root_paths(request)
        if not possible_sites:
            return None
        site_id, root_path, root_url, language_code = possible_sites[0]
        if any(values[0] != site_id for values in possible_sites):
            return self._wagtail_url_parts(request)
        language = translation.get_language()
        active = content_language(language)
        if active is not None and active == language_code:
            language_code = language  # a variant of the page's language (Wagtail's rule)
        elif language and not is_default_language(language) and active not in locale_ids():
            language_code = language  # no Locale: the default locale's pages, its prefix
        page_path = _page_path(self.url_path, root_path, language_code)
        if page_path is None:
            return self._wagtail_url_parts(request)
        return site_id, root_url, page_path

    def _wagtail_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None or parts[2] is None:
            return parts
        language = translation.get_language()
        if not language or is_default_language(language):
            return parts
        if content_language(language) in locale_ids():
            return parts

        site_id, root_url, _path = parts
        root_path = next(
            root.root_path
            for root in self._get_relevant_site_root_paths(request)
            if root.site_id == site_id
        )
        page_path = reverse("wagtail_serve", args=(self.url_path[len(root_path) :],))
        return site_id, root_url, page_path
