"""The language switcher and the right-to-left layout in a real browser: switching works with
JavaScript turned off and keeps the page; Arabic mirrors the layout with the quick-exit control
still first in the safety bar at the top, at the end of the reading line (the left in Arabic);
translated pages pass the accessibility checks."""

import pytest

from tests import factories


@pytest.fixture
def site(live_server, transactional_db):
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    return factories.make_course(index, modules=1, lessons_per_module=1)


@pytest.fixture
def no_script_page(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_the_switcher_works_without_javascript_and_keeps_the_page(no_script_page, site):
    page = no_script_page
    page.goto("/privacy/")
    assert page.locator("h1").inner_text() == "Privacy notice"
    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url("**/es/privacy/")
    assert page.locator("h1").inner_text() == "Aviso de privacidad"
    assert page.locator("html").get_attribute("lang") == "es"
    # And on to French, from the Spanish page, with the keyboard alone.
    page.get_by_label("Idioma").focus()
    page.get_by_label("Idioma").select_option("fr")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/privacy/")
    assert page.locator("h1").inner_text() == "Avis de confidentialité"


def test_arabic_is_mirrored_with_quick_exit_in_the_safety_bar(page, site):
    page.goto("/support/")
    width = page.viewport_size["width"]
    english_exit = page.locator("[data-quick-exit]").bounding_box()
    assert english_exit["x"] + english_exit["width"] > width / 2  # the right in English

    page.goto("/ar/support/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    exit_box = page.locator("[data-quick-exit]").bounding_box()
    assert exit_box["y"] < 80  # still in the bar at the top of the page
    assert exit_box["x"] < width / 2  # mirrored: the left in Arabic
    assert page.locator("[data-quick-exit]").inner_text().startswith("اخرج من هذه الصفحة")
    # Still the first thing the keyboard reaches after the skip link.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")
    # Text starts at the right.
    heading = page.locator("h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert heading["x"] + heading["width"] > main["x"] + main["width"] - 40


@pytest.mark.parametrize("path", ["/es/", "/es/support/", "/ar/support/", "/fr/quick-exit/"])
def test_translated_pages_are_accessible(page, site, assert_accessible, path):
    page.goto(path)
    assert_accessible(page)


def test_the_shift_counter_speaks_the_pages_language(page, site):
    page.goto("/es/support/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    status = page.locator("[data-quick-exit-status]")
    assert status.inner_text() == "Mayús: púlsela 1 vez más para salir."
