"""Every URL of the project's own apps that takes a database id answers 404 for an id beyond
64 bits (SQLite raises OverflowError on such a number): the `<id:...>` converter refuses it.

The patterns are enumerated from the resolver, so a URL added later is covered without
changing this file."""

import re
import uuid

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

from quizzes.converters import MAX_ID, DatabaseIdConverter

pytestmark = pytest.mark.django_db

OUR_PACKAGES = ("courses", "quizzes", "lantern")
HUGE = "99999999999999999999"  # 20 digits, beyond 2**64
TOKEN = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            # i18n_patterns: English has no prefix, so the routes are walked as they are.
            yield from _walk(entry.url_patterns, prefix, namespace)
            continue
        if not isinstance(entry.pattern, RoutePattern):
            continue  # regular expressions: Wagtail's page serving, static files
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}", entry


def _module(callback):
    return getattr(callback, "view_class", callback).__module__


def our_id_patterns():
    """(route, name, pattern) for each URL of our packages with an integer parameter."""
    found = []
    for route, name, entry in _walk(get_resolver().url_patterns):
        if not _module(entry.callback).startswith(OUR_PACKAGES):
            continue
        if any(isinstance(c, IntConverter) for c in entry.pattern.converters.values()):
            found.append((route, name, entry))
    return found


def fill(route, integer):
    """The route as a path, integers set to `integer` and the other parameters plausible."""

    def value(match):
        kind = match["converter"] or "str"
        if kind in ("int", "id"):
            return integer
        if kind == "uuid":
            return str(uuid.uuid4())
        return "x"

    return "/" + TOKEN.sub(value, route)


PATTERNS = our_id_patterns()
IDS = [name for _route, name, _entry in PATTERNS]


def test_the_walk_finds_the_known_id_urls():
    for expected in [
        "courses:enrol",
        "courses:unenrol",
        "courses:recertify",
        "courses:complete_lesson",
        "courses:save_reflection",
        "courses:cohort_member_remove",
        "courses:cohort_invitation_cancel",
        "quizzes:detail",
        "quizzes:start",
        "quizzes:attempt",
        "quizzes:result",
        "quizzes_analysis",
        "certificates:revoke",
        "certificates:inspect",
    ]:
        assert expected in IDS, expected


@pytest.mark.parametrize(("route", "name", "entry"), PATTERNS, ids=IDS)
def test_our_urls_use_the_bounded_converter(route, name, entry):
    for converter in entry.pattern.converters.values():
        if isinstance(converter, IntConverter):
            assert isinstance(converter, DatabaseIdConverter), f"{route}: use <id:...>"


@pytest.fixture(params=["anonymous", "learner", "superuser"])
def visitor(request, client, make_user):
    if request.param == "learner":
        client.force_login(make_user("ids@example.org", first_name="Ida"))
    elif request.param == "superuser":
        client.force_login(make_user("admin@example.org", is_staff=True, is_superuser=True))
    client.raise_request_exception = True  # a server error fails the test, not a 500 page
    return client


@pytest.mark.parametrize(("route", "name", "entry"), PATTERNS, ids=IDS)
def test_an_id_beyond_64_bits_is_not_found(visitor, home_page, route, name, entry):
    path = fill(route, HUGE)
    with pytest.raises(Resolver404):
        match = resolve(path)
        if match.func is not entry.callback:
            raise Resolver404  # fell through to another pattern (Wagtail's page serving)
    for method in (visitor.get, visitor.post):
        response = method(path)
        if response.status_code == 302:  # the admin asks whoever may not enter it to log in
            assert path.startswith("/admin/") and "/login/" in response["Location"]
        else:
            assert response.status_code in (400, 404), (method.__name__, path)


@pytest.mark.parametrize(("route", "name", "entry"), PATTERNS, ids=IDS)
def test_the_largest_id_still_resolves_and_is_not_found(visitor, home_page, route, name, entry):
    """2**63 - 1 is a valid id: the URL resolves, and the view finds nothing (no 500)."""
    path = fill(route, str(MAX_ID))
    assert resolve(path).func is entry.callback
    assert resolve(fill(route, str(MAX_ID + 1))).func is not entry.callback
    for method in (visitor.get, visitor.post):
        response = method(path)
        assert response.status_code in (302, 400, 403, 404, 405), (method.__name__, path)
        if response.status_code == 302:  # to the login page or the admin login
            assert "login" in response["Location"]
