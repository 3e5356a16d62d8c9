"""Quick exit in a real browser, on a computer and on a phone: the neutral site
takes the tab's place, Back does not bring a Lantern page back after browsing by links (and
does after a form, as the help page says), the compact safety bar on phones, and the help page."""

import pytest

from tests import factories
from tests.e2e.test_site import BBC, assert_readable_focus

START = "https://start.example/"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
DEVICES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def open_tab(browser, live_server, device):
    """A page in a new browser context for `device`, with the start page and the neutral
    site answered locally."""
    context = browser.new_context(base_url=live_server.url, **device)
    context.set_default_timeout(10_000)
    context.route(
        f"{START}**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<title>Start</title><h1>Start</h1>",
        ),
    )
    page = context.new_page()
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"
        ),
    )
    return page


def let_exit_through(page):
    """Wait for the neutral site."""
    page.wait_for_url(BBC)


@pytest.fixture
def course(live_server, transactional_db):
    """A home page, the course index, and a course with two lessons."""
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    course, lessons = factories.make_course(index, modules=1, lessons_per_module=2)
    return course, lessons


@pytest.fixture(params=DEVICES)
def tab(request, browser, live_server, transactional_db):
    page = open_tab(browser, live_server, request.param)
    yield page
    page.context.close()


def browse_home_to_lesson(page, lessons):
    """From a page outside Lantern, open Lantern, then follow links to a lesson."""
    page.goto(START)
    page.goto("/")  # as if typed into the address bar: a new history entry
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    page.wait_for_url("**/courses/")
    page.get_by_role("link", name="Test course").click()
    page.wait_for_url("**/test-course/")
    page.get_by_role("link", name="Lesson 1.1").click()
    page.wait_for_url(f"**{lessons[0].url}")


def assert_back_leaves_lantern(page, live_server):
    page.go_back()
    page.wait_for_load_state()
    assert page.url == START
    assert not page.url.startswith(live_server.url)


def test_exit_button_after_browsing_by_links_back_does_not_return(tab, course, live_server):
    _, lessons = course
    browse_home_to_lesson(tab, lessons)
    tab.get_by_role("link", name="Exit this page").click()
    let_exit_through(tab)
    assert tab.url == BBC
    assert_back_leaves_lantern(tab, live_server)


def test_shift_three_times_after_browsing_by_links_back_does_not_return(tab, course, live_server):
    _, lessons = course
    browse_home_to_lesson(tab, lessons)
    tab.locator("h1").click()
    tab.keyboard.press("Shift")
    tab.keyboard.press("Shift")
    assert tab.url.endswith(lessons[0].url)
    assert "press 1 more time" in tab.locator("[data-quick-exit-status]").inner_text()
    tab.keyboard.press("Shift")
    let_exit_through(tab)
    assert_back_leaves_lantern(tab, live_server)


def test_a_submitted_form_adds_a_history_entry(tab, course, live_server):
    """As the help page says: Back after an exit can show the page before a form."""
    tab.goto(START)
    tab.goto("/")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    tab.wait_for_url("**/search/")
    tab.get_by_label("Search lessons and courses").fill("lesson")
    tab.get_by_role("button", name="Search").click()
    tab.wait_for_url("**/search/?q=lesson")
    tab.get_by_role("link", name="Exit this page").click()
    let_exit_through(tab)
    tab.go_back()
    tab.wait_for_load_state()
    assert tab.url == f"{live_server.url}/search/"
    tab.go_back()
    tab.wait_for_load_state()
    assert tab.url == START  # the home page was replaced by the search page's link


def test_a_link_marked_data_keep_history_adds_an_entry(page, course):
    page.goto("/support/")
    page.goto("/quick-exit/")
    page.evaluate(
        """() => {
          const link = document.createElement("a");
          link.href = "/privacy/";
          link.textContent = "Privacy, keeping history";
          link.setAttribute("data-keep-history", "");
          document.querySelector("main").prepend(link);
        }"""
    )
    page.get_by_role("link", name="Privacy, keeping history").click()
    page.wait_for_url("**/privacy/")
    page.go_back()
    page.wait_for_url("**/quick-exit/")
    page.go_back()
    page.wait_for_url("**/support/")


def test_hash_links_stay_on_the_page(page, course):
    page.goto("/support/")
    page.goto("/")
    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main-content")
    page.go_back()
    page.wait_for_url(lambda url: url.endswith("/"))
    page.go_back()
    page.wait_for_url("**/support/")


def test_phone_safety_bar_is_one_compact_row_without_the_shortcut_hint(
    browser, live_server, course, assert_accessible
):
    page = open_tab(browser, live_server, PHONE)
    try:
        page.goto("/")
        bar = page.locator(".safety-bar").bounding_box()
        assert bar["height"] <= 56, bar
        exit_button = page.locator("[data-quick-exit]")
        support = page.locator(".safety-bar__support")
        exit_box, support_box = exit_button.bounding_box(), support.bounding_box()
        assert exit_box["height"] >= 44 and exit_box["width"] >= 44, exit_box
        assert support_box["height"] >= 44, support_box
        assert abs(exit_box["y"] - support_box["y"]) < 4  # one row
        assert exit_button.inner_text().strip() == "Exit this page"
        assert not page.locator(".quick-exit__hint").is_visible()

        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")
        assert_readable_focus(page, "[data-quick-exit]")
        assert_readable_focus(page, ".safety-bar__support")
        assert_accessible(page)
    finally:
        page.context.close()


def test_desktop_safety_bar_shows_the_shortcut_hint(page, course):
    page.set_viewport_size(DESKTOP["viewport"])
    page.goto("/")
    hint = page.locator(".quick-exit__hint")
    assert hint.is_visible()
    assert hint.inner_text() == "(or press Shift 3 times)"


@pytest.mark.parametrize("device", DEVICES)
def test_help_page_says_what_quick_exit_does_and_does_not_do(
    browser, live_server, course, assert_accessible, device
):
    page = open_tab(browser, live_server, device)
    try:
        page.goto("/")
        page.get_by_role("link", name="About quick exit and browsing safely").click()
        page.wait_for_url("**/quick-exit/")
        main = page.locator("main").inner_text()
        assert "does not clear your browsing history" in main
        assert "Back takes you to the page you were on before you came to Lantern" in main
        assert "When you submit a form" in main
        for browser_name, private in [
            ("Google Chrome", "New Incognito window"),
            ("Microsoft Edge", "New InPrivate window"),
            ("Mozilla Firefox", "New private window"),
            ("Apple Safari", "New Private Window"),
        ]:
            assert page.get_by_role("heading", name=browser_name, level=3).is_visible()
            assert private in main
        for not_done in ["other tabs", "files you downloaded", "passwords", "emails", "network"]:
            assert not_done in main, not_done
        assert "Using the back button will not bring this site back" not in main
        assert_accessible(page)
    finally:
        page.context.close()
