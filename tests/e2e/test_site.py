"""The home page, sign-up and login, quick exit and the helplines page, in a real browser."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests import factories

BBC = "https://www.bbc.co.uk/weather"
PASSWORD = "a-long-unusual-passphrase"

# Focuses the element, then reads what the browser paints: its colours while focused and the
# background colour next to it (the nearest ancestor that paints one).
FOCUSED_STYLE = """
(selector) => {
  const element = document.querySelector(selector);
  element.focus();
  const style = getComputedStyle(element);
  let adjacent = "rgb(255, 255, 255)";
  for (let node = element.parentElement; node; node = node.parentElement) {
    const background = getComputedStyle(node).backgroundColor;
    if (background !== "transparent" && !/rgba\\(.*, 0\\)$/.test(background)) {
      adjacent = background;
      break;
    }
  }
  return {
    focused: document.activeElement === element,
    focusVisible: element.matches(":focus-visible"),
    color: style.color,
    background: style.backgroundColor,
    boxShadow: style.boxShadow,
    outline: style.outlineStyle === "none" ? "" : style.outlineColor,
    adjacent: adjacent,
  };
}
"""


def colours(css):
    """The opaque colours in a computed CSS value, as (r, g, b) tuples."""
    found = []
    for match in re.finditer(r"rgba?\(([^)]*)\)", css):
        parts = [float(part) for part in re.split(r"[,\s/]+", match.group(1).strip())]
        if len(parts) == 3 or parts[3] == 1:
            found.append(tuple(parts[:3]))
    return found


def relative_luminance(rgb):
    """WCAG 2.2 relative luminance of an sRGB colour."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_helper_matches_known_ratios():
    assert round(contrast((255, 255, 255), (0, 0, 0)), 1) == 21.0
    assert round(contrast((255, 221, 0), (255, 255, 255)), 2) == 1.35  # the old white on yellow
    assert round(contrast((11, 12, 12), (255, 221, 0)), 1) == 14.5
    assert colours("rgb(1, 2, 3) 0px 4px 0px 0px, rgba(0, 0, 0, 0) 0px") == [(1, 2, 3)]


def assert_readable_focus(page, selector):
    """While focused: text on the yellow fill >= 4.5:1, indicator vs its surroundings >= 3:1."""
    style = page.evaluate(FOCUSED_STYLE, selector)
    assert style["focused"] and style["focusVisible"], (selector, style)
    (text,) = colours(style["color"])
    (fill,) = colours(style["background"])
    (adjacent,) = colours(style["adjacent"])
    assert fill == (255, 221, 0), (selector, style)
    assert contrast(text, fill) >= 4.5, (selector, style)
    # The indicator is the yellow fill plus the bar under it: on a light background the dark
    # bar carries the contrast, on the dark header the yellow does.
    indicator = [fill, *colours(style["boxShadow"]), *colours(style["outline"])]
    best = max(contrast(colour, adjacent) for colour in indicator)
    assert best >= 3, (selector, style)
    return style


def log_in(page, email, next_url):
    """Log in through the real form and land on `next_url`."""
    page.goto(f"/account/login/?next={next_url}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def site(page):
    home = factories.make_home_page(
        intro="<p>Training for people who may meet exploitation in their work.</p>",
        audiences=[
            ("audience", {"heading": name, "text": "About this course.", "link_page": None})
            for name in ["Police", "Teachers and school staff", "Tech, trust & safety staff"]
        ],
    )
    factories.make_helpline("International", "Emergency services", phone="112", hours="24/7")
    factories.make_helpline("United Kingdom", "Childline", phone="0800 1111")
    return home


def test_home_page_is_accessible(page, site, assert_accessible):
    page.goto("/")
    assert page.locator("h1").inner_text() == site.title
    assert page.locator(".card__title").count() == 3
    assert_accessible(page)


def test_home_page_on_a_phone_keeps_the_safety_bar_on_screen(page, site, assert_accessible):
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto("/")
    page.mouse.wheel(0, 2000)
    exit_button = page.locator("[data-quick-exit]")
    assert exit_button.is_visible()
    box = exit_button.bounding_box()
    assert box["y"] >= 0 and box["y"] < 120
    assert_accessible(page)


def test_sign_up_then_log_out_and_in(page, site, assert_accessible):
    page.goto("/account/signup/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("new.trainee@example.org")
    page.get_by_label("Given name(s)").fill("Łucja")
    page.get_by_label("Family name").fill("Żółć")
    page.get_by_label("Password:", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/")
    assert "new.trainee@example.org" in page.locator("main").inner_text()
    assert get_user_model().objects.filter(email="new.trainee@example.org").exists()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    page.goto("/account/login/")
    page.get_by_label("Email address").fill("New.Trainee@example.org")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/learning/")
    assert page.get_by_role("heading", name="My learning").is_visible()


def test_sign_up_errors_are_announced_in_text(page, site, assert_accessible):
    page.goto("/account/signup/")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "There is a problem" in summary.inner_text()
    assert "This field is required" in summary.inner_text()
    assert_accessible(page)


def test_shift_three_times_leaves_the_site_and_back_does_not_return(page, site):
    page.goto("/support/")
    page.goto("/")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.url.endswith("/")
    assert "press 1 more time" in page.locator("[data-quick-exit-status]").inner_text()
    page.keyboard.press("Shift")
    page.wait_for_url(BBC)
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/support/")  # the page we exited from was replaced


def test_typing_capitals_does_not_trigger_quick_exit(page, site):
    page.goto("/account/login/")
    field = page.get_by_label("Email address")
    field.click()
    field.press_sequentially("ABC")
    field.press("Shift+A")
    page.wait_for_timeout(200)
    assert page.url.endswith("/account/login/")


def test_skip_link_is_first_tab_stop_then_exit_which_works_by_keyboard(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-quick-exit')")
    assert focused is not None
    page.keyboard.press("Enter")
    page.wait_for_url(BBC)


@pytest.mark.parametrize(
    "link, heading",
    [("Privacy notice", "Privacy notice"), ("Accessibility statement", "Accessibility statement")],
)
def test_privacy_and_accessibility_pages_from_the_footer(
    page, site, assert_accessible, link, heading
):
    page.goto("/")
    page.get_by_role("navigation", name="Footer").get_by_role("link", name=link).click()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)


def test_skip_link_moves_focus_to_the_main_content(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_focused_controls_keep_readable_text_and_a_visible_indicator(page, site):
    page.goto("/account/signup/")
    page.keyboard.press("Tab")  # keyboard use: later focus() calls show the focus style too
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")
    exit_style = assert_readable_focus(page, "[data-quick-exit]")
    assert (11, 12, 12) in colours(exit_style["boxShadow"])  # the black bar underneath
    assert_readable_focus(page, ".safety-bar__support")
    assert_readable_focus(page, ".skip-link")
    assert_readable_focus(page, ".site-nav a")
    assert_readable_focus(page, ".site-header__brand")
    button_style = assert_readable_focus(page, "form .button")
    assert (11, 12, 12) in colours(button_style["boxShadow"])
    assert_readable_focus(page, "main p a")


def test_log_out_button_in_the_navigation_is_readable_when_focused(page, site, make_user):
    make_user("reader@example.org", password=PASSWORD)
    log_in(page, "reader@example.org", "/learning/")
    page.keyboard.press("Tab")
    assert_readable_focus(page, ".site-nav .link-button")
    assert_readable_focus(page, ".site-nav a")


def test_navigation_and_form_targets_are_at_least_24_pixels(page, site):
    page.goto("/account/signup/")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    selectors = [".safety-bar a", ".site-nav a", "form .button", ".error-summary a"]
    for selector in selectors:
        targets = page.locator(selector)
        assert targets.count() > 0, selector
        for index in range(targets.count()):
            box = targets.nth(index).bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, (selector, index, box)


def test_failed_sign_up_moves_focus_to_the_error_summary(page, site):
    from playwright.sync_api import expect

    page.goto("/account/signup/")
    page.get_by_label("Email address").fill("not-an-address")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert "Enter a valid email address" in summary.inner_text()
    assert summary.evaluate("element => element.matches(':focus-visible')")
    page.goto("/account/signup/")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement === document.body")


def test_every_part_of_the_home_page_is_in_a_landmark(page, site):
    from axe_playwright_python.sync_playwright import Axe

    page.goto("/")
    results = Axe().run(page)
    reported = {violation["id"] for violation in results.response["violations"]}
    assert "region" not in reported
    bar = page.get_by_role("complementary", name="Leave this site or get support")
    assert bar.locator("[data-quick-exit]").is_visible()
    assert bar.get_by_role("link", name="Get support now").is_visible()


def test_helplines_page(page, site, assert_accessible):
    page.goto("/")
    page.get_by_role("link", name="Get support now").click()
    page.wait_for_url("**/support/")
    assert page.get_by_role("heading", name="International").is_visible()
    assert page.get_by_role("link", name="0800 1111").get_attribute("href") == "tel:08001111"
    assert_accessible(page)


def test_lesson_page_is_accessible_and_scenarios_work_by_keyboard(page, site, assert_accessible):
    index = factories.make_course_index(site)
    _, lessons = factories.make_course(
        index,
        modules=1,
        lessons_per_module=2,
        sensitive_topics="Discusses sexual exploitation. No graphic detail.",
    )
    lesson = lessons[0]
    lesson.content_note = "Discusses grooming. No graphic detail."
    lesson.body = factories.lesson_body(
        extra=[
            {
                "type": "scenario",
                "value": {
                    "title": "A pupil stays behind",
                    "vignette": "<p>A pupil says an older friend buys her gifts.</p>",
                    "question": "What do you do first?",
                    "choices": [
                        {
                            "text": "Listen and thank her",
                            "feedback": "Yes: listen first.",
                            "recommended": True,
                        },
                        {
                            "text": "Promise secrecy",
                            "feedback": "Never promise secrecy.",
                            "recommended": False,
                        },
                    ],
                },
            }
        ]
    )
    lesson.save_revision().publish()
    page.goto(lesson.url)
    assert page.get_by_text("Discusses grooming. No graphic detail.").is_visible()
    feedback = page.get_by_text("Yes: listen first.")
    assert not feedback.is_visible()
    page.locator("summary", has_text="Listen and thank her").focus()
    page.keyboard.press("Enter")
    assert feedback.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Next lesson").click()
    page.wait_for_url(f"**{lessons[1].url}")
    page.goto(lesson.get_parent().get_parent().url)
    assert page.get_by_role("heading", name="Before you start: sensitive topics").is_visible()
    assert_accessible(page)


def test_learner_saves_a_private_reflection(page, site, make_user):
    index = factories.make_course_index(site)
    _, lessons = factories.make_course(index, modules=1, lessons_per_module=1)
    make_user("reader@example.org", password="a-long-unusual-passphrase")
    log_in(page, "reader@example.org", lessons[0].url)
    page.get_by_label("Your private answer").fill("I would listen & not judge.")
    page.get_by_role("button", name="Save my answer").click()
    page.wait_for_load_state()
    assert page.get_by_label("Your private answer").input_value() == "I would listen & not judge."
    assert page.get_by_text("Only you can see it").is_visible()


def test_enrol_complete_and_resume_from_my_learning(page, site, make_user, assert_accessible):
    index = factories.make_course_index(site)
    course, lessons = factories.make_course(index, modules=2, lessons_per_module=2)
    make_user("trainee@example.org", password="a-long-unusual-passphrase")
    log_in(page, "trainee@example.org", course.url)
    page.get_by_role("button", name="Enrol in this course").click()
    page.wait_for_url(f"**{lessons[0].url}")
    page.get_by_role("button", name="Mark complete and continue").click()
    page.wait_for_url(f"**{lessons[1].url}")
    page.get_by_role("link", name="My learning").click()
    page.wait_for_url("**/learning/")
    assert "25% complete" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Resume").click()
    page.wait_for_url(f"**{lessons[1].url}")
    page.goto(course.url)
    assert page.locator(".state--done").count() == 1
    assert_accessible(page)


def test_take_a_quiz_review_and_submit(page, site, make_user, assert_accessible):
    quiz = factories.make_quiz(review_before_submit=True, pass_mark=60)
    make_user("quizzer@example.org", password="a-long-unusual-passphrase")
    log_in(page, "quizzer@example.org", f"/quizzes/{quiz.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quizzes/attempts/**")
    assert_accessible(page)
    page.get_by_role("button", name="Check my answers").click()
    # Wait for the page the form posts to (answers may still be saving in the background).
    page.get_by_text("Answer every question before you go on.").wait_for()
    assert_accessible(page)
    page.get_by_label("Someone else holds their passport").check()
    page.get_by_label("False").check()
    for label in ["Gifts with strings attached", "Secrecy demanded", "Isolation from friends"]:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/result/")
    assert "100%" in page.locator("main").inner_text()
    assert_accessible(page)
