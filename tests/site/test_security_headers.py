"""Security headers: a strict Content Security Policy on every front-end page, a relaxed one
under the Wagtail admin only, and a Permissions-Policy on every response."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lantern.security import permissions_policy_value
from tests import factories

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"
FRONT_END = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}
VIDEO_HOSTS = ["https://www.youtube.com", "https://www.youtube-nocookie.com"]


def policy(response):
    """The response's CSP as {directive: [sources]}."""
    assert CSP in response, f"no {CSP} header"
    directives = {}
    for part in response[CSP].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_front_end_policy(response):
    directives = policy(response)
    for name, sources in FRONT_END.items():
        assert directives[name] == sources, (name, directives[name])
    assert "'unsafe-inline'" not in response[CSP]
    assert "'unsafe-eval'" not in response[CSP]
    assert directives["frame-src"][0] == "'self'"


def assert_permissions_policy(response):
    features = dict(item.strip().split("=", 1) for item in response[PERMISSIONS].split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()", feature
    # Passkeys (two-factor login) and the copy buttons' clipboard keep the browser default.
    assert not any(f.startswith(("publickey-credentials", "clipboard")) for f in features)


@pytest.fixture
def tour(learner, make_user):
    manager = make_user("manager@example.org")
    return factories.make_page_tour(learner, manager), manager


def test_every_front_end_page_type_has_the_strict_policy(client, learner, tour):
    urls, manager = tour
    visits = [(None, url) for url in urls["anonymous"]]
    visits += [(learner, url) for url in urls["learner"]]
    visits += [(manager, url) for url in urls["manager"]]
    for user, url in visits:
        visitor = Client()
        if user is not None:
            visitor.force_login(user)
        response = visitor.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_front_end_policy(response)
        assert_permissions_policy(response)
        assert b"style=" not in response.content, url
        assert b"<script>" not in response.content, url
        assert b"javascript:" not in response.content, url


def test_not_found_and_server_error_pages_have_the_strict_policy(client, home_page, settings):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_front_end_policy(response)
    assert_permissions_policy(response)

    settings.ROOT_URLCONF = "tests.urls"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_front_end_policy(response)
    assert_permissions_policy(response)


def test_progress_bar_and_copy_buttons_need_no_inline_code(client, learner, tour):
    urls, manager = tour
    client.force_login(learner)
    dashboard = client.get("/learning/").content.decode()
    assert '<progress class="progress__bar" max="100" value="50"' in dashboard
    client.force_login(manager)
    cohort_page = client.get(urls["manager"][1]).content.decode()
    assert "courses/js/cohort-panel.js" in cohort_page
    assert 'data-copied-label="Copied"' in cohort_page


def test_lesson_videos_may_play_from_the_configured_hosts(client, home_page):
    directives = policy(client.get("/"))
    assert set(VIDEO_HOSTS) <= set(directives["frame-src"])


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser(
        email="admin@example.org", password="correct-horse-battery"
    )
    client.force_login(admin)
    return client


def assert_admin_policy(response):
    directives = policy(response)
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in response[CSP]


def test_admin_pages_have_the_relaxed_policy(admin_client, home_page):
    lesson_index = factories.make_course_index(home_page)
    for url in [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{home_page.pk}/",
        f"/admin/pages/{lesson_index.pk}/edit/",
        f"/admin/pages/{lesson_index.pk}/view_draft/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_admin_policy(response)
        assert_permissions_policy(response)


def test_admin_sign_in_is_the_front_end_login_with_the_strict_policy(client):
    """The admin signs in through /account/login/, a front-end page with the strict policy."""
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_front_end_page_previewed_in_the_admin_can_be_framed_by_the_admin(admin_client, home_page):
    """The page editor's preview panel shows the page in an iframe of an /admin/ URL."""
    response = admin_client.post(
        f"/admin/pages/{home_page.pk}/edit/preview/",
        nested_form_data(
            {
                "title": "Preview me",
                "slug": "lantern-home",
                "intro": rich_text("<p>Welcome</p>"),
                "safety_note": rich_text(""),
                "audiences": streamfield([]),
            }
        ),
    )
    assert response.status_code == 200
    assert response.json()["is_valid"] is True
    response = admin_client.get(f"/admin/pages/{home_page.pk}/edit/preview/?mode=")
    assert response.status_code == 200
    assert b"Preview me" in response.content
    assert_admin_policy(response)


def test_paths_that_only_start_like_the_admin_get_the_front_end_policy(client, home_page):
    response = client.get("/administrator/")
    assert response.status_code == 404
    assert_front_end_policy(response)


def test_frame_hosts_come_from_the_environment(monkeypatch):
    import importlib

    from lantern.settings import base

    monkeypatch.setenv("CSP_FRAME_SRC", "https://video.example.org, https://media.example.net")
    try:
        reloaded = importlib.reload(base)
        front = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"]
        admin = reloaded.LANTERN_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"]
        assert (
            front == admin == ["'self'", "https://video.example.org", "https://media.example.net"]
        )
        monkeypatch.setenv("CSP_FRAME_SRC", "")
        assert importlib.reload(base).CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] == [
            "'self'"
        ]
    finally:
        monkeypatch.delenv("CSP_FRAME_SRC")
        importlib.reload(base)


def test_permissions_policy_format():
    assert permissions_policy_value({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


def test_production_and_development_settings_keep_both_middlewares(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "only-for-this-test")
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/0")
    for name in ["lantern.settings.production", "lantern.settings.dev"]:
        module = importlib.import_module(name)
        assert "lantern.security.LanternCSPMiddleware" in module.MIDDLEWARE
        assert "lantern.security.PermissionsPolicyMiddleware" in module.MIDDLEWARE
        assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
