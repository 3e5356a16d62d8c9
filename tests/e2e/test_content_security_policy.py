"""The Content Security Policy in a real browser: no front-end page breaks it (no blocked
script, style, image or frame), the admin works under its own policy, and quick exit and the
copy buttons still work."""

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.e2e.test_site import BBC, PASSWORD, log_in

# Installed before any script of the page runs (and in every frame), so that nothing the
# page does can slip past it.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


@pytest.fixture
def watched(page):
    """The page, with CSP violations collected into window.__cspViolations."""
    page.context.add_init_script(COLLECT_VIOLATIONS)
    return page


def visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("load")
    assert response.status < 400, (url, response.status)
    return response


def assert_no_violations(page, frame=None):
    violations = (frame or page).evaluate("window.__cspViolations")
    assert violations == [], f"CSP violations on {(frame or page).url}: {violations}"


@pytest.fixture
def tour(watched, make_user):
    learner = make_user("reader@example.org", password=PASSWORD, first_name="Rae")
    manager = make_user("lead@example.org", password=PASSWORD)
    return factories.make_page_tour(learner, manager)


def test_front_end_pages_break_no_policy(watched, tour):
    page = watched
    for url in [*tour["anonymous"], "/no-such-page/"]:
        response = visit(page, url) if url != "/no-such-page/" else page.goto(url)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert "camera=()" in response.headers["permissions-policy"]
        assert page.evaluate("document.documentElement.classList.contains('js')"), url
        assert_no_violations(page)

    log_in(page, "reader@example.org", "/learning/")
    for url in tour["learner"]:
        visit(page, url)
        # quick-exit.js ran: it marks the page and adds the live region it speaks through.
        assert page.locator("[data-quick-exit-status]").count() == 1, url
        assert_no_violations(page)
    visit(page, "/learning/")
    progress = page.locator("progress.progress__bar").first
    assert progress.get_attribute("value") == "50"
    assert progress.bounding_box()["width"] > 100


def test_the_browser_knows_and_applies_every_permissions_policy_feature(watched, tour, settings):
    page = watched
    visit(page, "/")
    known = set(page.evaluate("document.featurePolicy.features()"))
    switched_off = set(settings.LANTERN_PERMISSIONS_POLICY)
    assert switched_off <= known, f"Chromium does not know: {switched_off - known}"
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert not page.evaluate(f"document.featurePolicy.allowsFeature('{feature}')"), feature
    assert page.evaluate("document.featurePolicy.allowsFeature('fullscreen')")


def test_manager_pages_break_no_policy_and_the_copy_buttons_work(watched, tour):
    page = watched
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "lead@example.org", "/manage/")
    for url in tour["manager"]:
        visit(page, url)
        assert_no_violations(page)

    visit(page, tour["manager"][1])
    copy = page.get_by_role("button", name="Copy code")
    assert copy.is_visible()  # cohort-panel.js ran and showed it
    copy.click()
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
    assert page.locator("[data-copy-status]").inner_text() == "Copied to the clipboard"
    assert page.evaluate("navigator.clipboard.readText()").count("-") == 2
    assert_no_violations(page)


def test_quick_exit_button_still_works_under_the_policy(watched, tour):
    page = watched
    log_in(page, "reader@example.org", "/learning/")
    lesson = tour["learner"][4]
    visit(page, lesson)
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(BBC)
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/learning/")  # the lesson was replaced in the history


def test_shift_three_times_still_exits_under_the_policy(watched, tour):
    page = watched
    visit(page, "/support/")
    visit(page, "/verify/")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert "press 1 more time" in page.locator("[data-quick-exit-status]").inner_text()
    assert_no_violations(page)
    page.keyboard.press("Shift")
    page.wait_for_url(BBC)
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/support/")


def test_admin_and_its_page_preview_work_under_the_admin_policy(watched, tour):
    page = watched
    get_user_model().objects.create_superuser(email="admin@example.org", password=PASSWORD)
    from courses.models import LessonPage

    lesson = LessonPage.objects.order_by("path").first()
    log_in(page, "admin@example.org", "/admin/")
    assert_no_violations(page)
    for url in ["/admin/pages/", f"/admin/pages/{lesson.pk}/edit/"]:
        response = visit(page, url)
        assert "'unsafe-inline'" in response.headers["content-security-policy"]
        assert_no_violations(page)

    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe#w-preview-iframe")
    preview.locator("h1").first.wait_for()
    assert lesson.title in preview.locator("h1").first.inner_text()
    frame = next(f for f in page.frames if "/preview/" in f.url)
    assert_no_violations(page, frame)
    assert_no_violations(page)

    # An editor on the live site sees Wagtail's userbar, under the front-end policy.
    response = visit(page, lesson.url)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.locator("wagtail-userbar").wait_for(state="attached")
    page.wait_for_timeout(1000)  # the userbar's accessibility check runs after load
    assert_no_violations(page)
