"""Caches for the learner pages: the routed page chain per URL path, and the rendered lesson
body per live revision, jurisdiction and language.

Both are stamped with one generation token. Saving, publishing, unpublishing, moving or
deleting any page, changing a site, an image, a document, a helpline or a jurisdiction draws
a new token (at once, and again when the transaction commits), so every entry made before is
ignored: nothing is forgotten page by page, and a change the receivers cannot place (a link
in a lesson to a page that moved) is covered too. These changes are rare next to page views.
The token is read in the same round trip as the entry it stamps.

A request reads the token once, with the first entry it looks up (its route, or its site),
and that same round trip brings what else the request will need from the cache: the locales
(`courses.content.locales`), the site root paths Wagtail builds links from (kept here under
the token too), and any keys the host site asks for (`request._lantern_prefetch`, read by
`prefetched`). Entries stamped with the token are also kept in this process
(`local_get`, `local_set`: the outline, lesson bodies, jurisdictions), and used while the
request's token is the one they were kept under, so a request that finds its route pays one
round trip in all. They are kept pickled, so no two requests share an object.

Only the course tree is cached: a path the course index routed (course, module or lesson,
every page on the way live). Anything else goes to Wagtail's own routing. The view
restrictions on the page and its ancestors are cached with the route (a restriction saved,
deleted or given other groups draws a new token too), and Wagtail's `on_serve_page` hook
still checks them against each request.

Lesson bodies hold no learner's state: reflection blocks (the learner's answer, a CSRF token,
the sign-in link) are rendered on each request, and the other blocks are rendered for the
cache with a context that holds no request and no user, only the page and the jurisdiction
the learner reads ("Where you work" and helplines), which are part of the key with the
language.
"""

import hashlib
import pickle
import threading
import uuid
from collections import OrderedDict

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.fields import StreamField
from wagtail.models import Site
from wagtail.models.pages import RouteResult
from wagtail.models.sites import SiteRootPath

GENERATION_KEY = "lantern:pages:generation"
ROOT_PATHS_KEY = "lantern:site-root-paths"
RESTRICTIONS = "_lantern_view_restrictions"
CACHE_SECONDS = 60 * 60
# Entries kept in this process (least recently used dropped first).
LOCAL_ENTRIES = 512

# This thread's request: the generation token it read (cleared when a request starts).
_request = threading.local()
_local = OrderedDict()
_local_lock = threading.Lock()

# URL path prefixes (relative to the site root) under which a course index routed pages, in
# this process: only paths under one of them are looked up in the cache, so other pages pay
# no cache round trip. A stale prefix costs one lookup that misses, never a wrong page.
_course_prefixes = set()


# --- The generation token -------------------------------------------------------------------


def bump_generation():
    """Make every cached route and lesson body stale (now, and again after the commit, so
    an entry built from data read before the commit is not kept)."""

    def bump():
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        # What this request kept in the process was kept under the old token.
        _request.__dict__.pop("generation", None)

    bump()
    transaction.on_commit(bump)


def start_request(**kwargs):
    """A request starts: it reads the generation token afresh (`request_started`)."""
    _request.__dict__.clear()


def forget_local():
    """Drop every entry kept in this process (tests)."""
    _request.__dict__.clear()
    with _local_lock:
        _local.clear()


def local_get(key):
    """A value kept in this process by `local_set`, if it was kept under the generation
    token this request read; else None (also outside a request that read the token)."""
    generation = _request.__dict__.get("generation")
    if generation is None:
        return None
    with _local_lock:
        entry = _local.get(key)
        if entry is None or entry[0] != generation:
            return None
        _local.move_to_end(key)
    return pickle.loads(entry[1])  # noqa: S301 (pickled by this process)


def local_set(key, value):
    """Keep `value` in this process under the token this request read (nothing when it read
    none). Only for values that every change to them draws a new token for."""
    generation = _request.__dict__.get("generation")
    if generation is None:
        return
    entry = (generation, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _also_read(request):
    """The keys to read with the request's first entry: those not read yet."""
    from courses.content import locales

    keys = []
    if locales.wants_read():
        keys.append(locales.LOCALES_KEY)
    if request is not None:
        if not hasattr(request, "_wagtail_cached_site_root_paths"):
            keys.append(ROOT_PATHS_KEY)
        wanted = getattr(request, "_lantern_prefetch", None)
        if wanted is not None and not hasattr(request, "_lantern_prefetched"):
            request._lantern_prefetch_keys = list(wanted(request))
            keys += request._lantern_prefetch_keys
    return keys


def _take(request, found, keys, generation):
    """Hand out what `_also_read` asked for."""
    from courses.content import locales

    if locales.LOCALES_KEY in keys:
        locales.remember(found.get(locales.LOCALES_KEY))
    if request is None:
        return
    if ROOT_PATHS_KEY in keys:
        entry = found.get(ROOT_PATHS_KEY)
        if entry is not None and entry[0] == generation:
            request._wagtail_cached_site_root_paths = [SiteRootPath(*path) for path in entry[1]]
        else:
            paths = Site.get_site_root_paths()
            request._wagtail_cached_site_root_paths = paths
            if generation is not None:
                entry = (generation, [tuple(path) for path in paths])
                cache.set(ROOT_PATHS_KEY, entry, CACHE_SECONDS)
    wanted = getattr(request, "_lantern_prefetch_keys", None)
    if wanted is not None and not hasattr(request, "_lantern_prefetched"):
        request._lantern_prefetched = {key: found[key] for key in wanted if key in found}


def prefetched(request, keys):
    """What the request's first cache round trip found at `keys` (as `cache.get_many`), or
    None when they were not all asked for (`request._lantern_prefetch`)."""
    found = getattr(request, "_lantern_prefetched", None)
    if found is None or not set(keys) <= set(request._lantern_prefetch_keys):
        return None
    return {key: found[key] for key in keys if key in found}


def _read(key, request=None):
    """(entry, generation) in one round trip; entry is None unless stamped with the current
    generation. A missing token is drawn afresh. The round trip also brings what the
    request has not read yet (`_also_read`)."""
    extra = _also_read(request)
    found = cache.get_many([key, GENERATION_KEY, *extra])
    generation = found.get(GENERATION_KEY)
    entry = found.get(key)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY)
        entry = None
    _request.generation = generation
    _take(request, found, extra, generation)
    if entry is None or entry[0] != generation:
        return None, generation
    return entry[1], generation


def _key(kind, *parts):
    digest = hashlib.sha1("\x00".join(str(part) for part in parts).encode()).hexdigest()  # noqa: S324 (a cache key)
    return f"lantern:{kind}:{digest}"


# --- Routes --------------------------------------------------------------------------------


def _freeze(page):
    """A page's loaded field values, as plain data (StreamFields as their raw JSON)."""
    names, values = [], []
    for field in page._meta.concrete_fields:
        if field.attname not in page.__dict__:
            continue  # deferred: loads on use, as it would have
        value = page.__dict__[field.attname]
        if isinstance(field, StreamField):
            value = field.get_prep_value(value)
        names.append(field.attname)
        values.append(value)
    return page._meta.label_lower, names, values


def _thaw(frozen):
    label, names, values = frozen
    return apps.get_model(label).from_db(DEFAULT_DB_ALIAS, names, values)


def _route_key(request, path):
    return _key("route", request.get_host(), request.get_port(), get_language(), path)


def remember_route(request, pages):
    """Cache the chain the course index routed to: [index, course, module?, lesson?]."""
    path = getattr(request, "_lantern_route_path", None)
    site = getattr(request, "_wagtail_site", None)
    if path is None or site is None:
        return  # not routed through `serve`
    index, page = pages[0], pages[-1]
    below_index = page.url_path[len(index.url_path) :]
    if not page.url_path.startswith(index.url_path) or not path.endswith(below_index):
        return
    _course_prefixes.add(path[: len(path) - len(below_index)])
    generation = getattr(request, "_lantern_route_generation", None)
    if generation is None:
        return  # the prefix was not known yet: the next request reads the token first
    # The view restrictions on the page and its ancestors (Wagtail's two queries; those of
    # its source page too for a translation, `CachedRouteMixin`), kept
    # with the route: Wagtail's `on_serve_page` hook still checks them on every request.
    restrictions = list(page.get_view_restrictions())
    page.__dict__[RESTRICTIONS] = restrictions
    value = (site, [_freeze(item) for item in pages], restrictions)
    cache.set(_route_key(request, path), (generation, value), CACHE_SECONDS)


def view_restrictions(page):
    """The view restrictions that came with the page's cached route, else None."""
    return page.__dict__.get(RESTRICTIONS)


def link_chain(pages):
    """Set what the route found on the pages themselves: each page's parent, and the
    course and module of a module or lesson (no query for them later)."""
    for parent, page in zip(pages, pages[1:], strict=False):
        page._cached_parent_obj = parent
    page = pages[-1]
    if len(pages) >= 3:
        page.__dict__["course"] = pages[1]
    if len(pages) == 4:
        page.__dict__["module"] = pages[2]
    return page


def cached_route(request, path):
    """(site, RouteResult) for a course tree path from the cache, or None."""
    if not any(path.startswith(prefix) for prefix in _course_prefixes):
        return None
    try:
        key = _route_key(request, path)
    except Exception:  # noqa: BLE001 (a bad Host header: Wagtail's routing answers it)
        return None
    value, generation = _read(key, request)
    request._lantern_route_generation = generation
    if value is None:
        return None
    site, frozen, restrictions = value
    page = link_chain([_thaw(item) for item in frozen])
    page.__dict__[RESTRICTIONS] = restrictions
    return site, RouteResult(page)


def find_site(request):
    """Wagtail's `Site.find_for_request`, from the cache (per host and port, stamped like the
    routes): for views that link to pages with `{% pageurl %}` without routing to one."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        key = _key("site", request.get_host(), request.get_port())
    except Exception:  # noqa: BLE001 (a bad Host header: Wagtail answers it)
        return Site.find_for_request(request)
    site, generation = _read(key, request)
    if site is None:
        site = Site.find_for_request(request)
        cache.set(key, (generation, site), CACHE_SECONDS)
    request._wagtail_site = site
    return site


def serve(request, path):
    """Wagtail's `serve` view, with the course tree's routes from the cache."""
    from wagtail import views

    request._lantern_route_path = path
    found = cached_route(request, path)
    if found is not None:
        request._wagtail_site, request._wagtail_route_for_request = found
    else:
        request._wagtail_route_for_request = _route(request, path)
    return views.serve(request, path)


def _route(request, path):
    """Wagtail's `Page.route_for_request`: from the site's root page in the active language
    (Wagtail's `localized`), with the site and the locales from the cache, so the default
    language routes without a query for either."""
    from courses.content.locales import active_locale_id

    site = find_site(request)
    if site is None:
        return None
    root = site.root_page
    locale_id = active_locale_id()
    if locale_id is not None and locale_id != root.locale_id:
        root = root.localized
    try:
        return root.specific.route(request, [part for part in path.split("/") if part])
    except Http404:
        return None


# --- Lesson bodies --------------------------------------------------------------------------

# Blocks rendered on every request: they show the learner's own state.
PER_REQUEST_BLOCKS = frozenset({"reflection"})
# What the cached blocks may read from the page context: nothing about the learner but where
# they work (which their key holds).
CACHED_CONTEXT = ("page", "jurisdiction_code", "jurisdictions", "jurisdiction_change_url")


def _body_key(page, context):
    return _key(
        "lesson-body",
        page.pk,
        page.live_revision_id,
        get_language(),
        context.get("jurisdiction_code") or "",
        context.get("jurisdiction_change_url") or "",
    )


def render_lesson_body(page, context):
    """The lesson's body blocks as HTML, the same as `{% include_block %}` of each block with
    the page's context. Blocks without learner state come from the cache (or are rendered
    and cached); reflection blocks are rendered for this request. Previews and pages without
    a live revision are rendered afresh."""
    request = context.get("request")
    cacheable = (
        request is not None and page.pk and page.live and not getattr(request, "is_preview", False)
    )
    if not cacheable:
        flat = context.flatten()
        return mark_safe("".join(str(child.render_as_block(context=flat)) for child in page.body))  # noqa: S308
    key = _body_key(page, context)
    parts = local_get(key)
    if parts is None:
        parts, generation = _read(key)
        if parts is not None:
            local_set(key, parts)
    if parts is None:
        shared = {name: context[name] for name in CACHED_CONTEXT if name in context}
        parts = [
            None
            if child.block_type in PER_REQUEST_BLOCKS
            else str(child.render_as_block(context=dict(shared)))
            for child in page.body
        ]
        cache.set(key, (generation, parts), CACHE_SECONDS)
        local_set(key, parts)
    if None in parts:
        flat = context.flatten()
        children = list(page.body)
        parts = [
            str(children[position].render_as_block(context=flat)) if part is None else part
            for position, part in enumerate(parts)
        ]
    return mark_safe("".join(parts))  # noqa: S308 (each part rendered by its block's template)
