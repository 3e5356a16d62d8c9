"""Timed quizzes in a real browser: answers are saved as the learner goes (and survive a
reload), the countdown shows the deadline in the learner's own time, stays quiet for screen
readers between its milestones, and submits the form at zero. No CSP violation on the way."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, AttemptStatus
from tests import factories
from tests.e2e.test_content_security_policy import COLLECT_VIOLATIONS, assert_no_violations
from tests.e2e.test_site import PASSWORD, log_in

PASSPORT = "Someone else holds their passport"


@pytest.fixture
def quizzer(make_user):
    factories.make_home_page()
    return make_user("quizzer@example.org", password=PASSWORD)


@pytest.fixture
def local_page(browser, live_server, transactional_db):
    """A browser in Auckland, in British English: far from the server's time zone."""
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Pacific/Auckland", locale="en-GB"
    )
    context.set_default_timeout(10_000)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def test_answers_are_saved_as_you_go_and_survive_a_reload(page, quizzer, assert_accessible):
    page.context.add_init_script(COLLECT_VIOLATIONS)
    quiz = factories.make_quiz(time_limit_minutes=30, review_before_submit=True)
    log_in(page, "quizzer@example.org", f"/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quizzes/attempts/**")
    assert page.get_by_text("Your answers are saved as you go.").is_visible()
    assert page.get_by_text("Time left: 30 min").is_visible()
    assert_accessible(page)

    with page.expect_response("**/autosave/") as saved:
        page.get_by_label(PASSPORT).check()
    assert saved.value.status == 200 and saved.value.json()["saved"] is True
    with page.expect_response("**/autosave/"):
        page.get_by_label("Secrecy demanded").check()
    page.get_by_text("Answer saved at").wait_for()

    page.reload()
    assert page.get_by_label(PASSPORT).is_checked()
    assert page.get_by_label("Secrecy demanded").is_checked()
    assert not page.get_by_label("Gifts with strings attached").is_checked()
    attempt = Attempt.objects.get()
    assert attempt.is_open and len(attempt.draft_answers) == 2
    assert_no_violations(page)


def test_the_countdown_speaks_sparingly_and_submits_at_zero(local_page, quizzer):
    page = local_page
    quiz = factories.make_quiz(time_limit_minutes=1, review_before_submit=True, pass_mark=60)
    attempt = services.start_attempt(quizzer, quiz)
    log_in(page, "quizzer@example.org", f"/quizzes/{quiz.pk}/")
    # Only a few seconds left (the model counts whole minutes).
    deadline = timezone.now() + timedelta(seconds=8)
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=deadline)
    page.goto(f"/quizzes/attempts/{attempt.pk}/")

    timer = page.locator("[data-countdown-text]")
    assert "Time left:" in timer.inner_text() and "(your time)" in timer.inner_text()
    local = {
        (deadline - timedelta(seconds=s)).astimezone(ZoneInfo("Pacific/Auckland")).strftime("%H:%M")
        for s in (0, 1, 2)
    }
    assert any(f"Submit by {clock}" in timer.inner_text() for clock in local), timer.inner_text()
    with page.expect_response("**/autosave/"):
        page.get_by_label(PASSPORT).check()
    # The visible timer ticks; the live region has nothing to say between milestones.
    first = timer.inner_text()
    page.wait_for_timeout(1500)
    assert timer.inner_text() != first
    assert page.locator("[data-countdown-announce]").inner_text() == ""

    page.wait_for_url("**/result/", timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and not attempt.timed_out
    assert round(attempt.percent) == 33
    assert "33%" in page.locator("main").inner_text()
    assert_no_violations(page)


def test_screen_readers_hear_the_thirty_second_warning(local_page, quizzer):
    page = local_page
    quiz = factories.make_quiz(time_limit_minutes=1)
    attempt = services.start_attempt(quizzer, quiz)
    log_in(page, "quizzer@example.org", f"/quizzes/{quiz.pk}/")
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() + timedelta(seconds=33))
    page.goto(f"/quizzes/attempts/{attempt.pk}/")
    region = page.locator("[data-countdown-announce]")
    assert region.get_attribute("aria-live") == "polite"
    assert region.inner_text() == ""
    page.get_by_text("Time left: 30 seconds.", exact=False).wait_for(state="attached")
    assert region.inner_text().startswith("Time left: 30 seconds. Submit by ")
    assert_no_violations(page)


def test_the_countdown_and_autosave_speak_the_pages_language(local_page, quizzer):
    """Under /es/ every word the script writes comes from the Spanish template."""
    page = local_page
    quiz = factories.make_quiz(time_limit_minutes=30)
    attempt = services.start_attempt(quizzer, quiz)
    log_in(page, "quizzer@example.org", f"/quizzes/{quiz.pk}/")
    page.goto(f"/es/quizzes/attempts/{attempt.pk}/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text("Sus respuestas se guardan a medida que avanza.").is_visible()
    timer = page.locator("[data-countdown-text]")
    assert timer.inner_text().startswith("Tiempo restante: 30 min. Envíe antes de las ")
    assert timer.inner_text().endswith("(su hora).")
    with page.expect_response("**/autosave/"):
        page.get_by_label(PASSPORT).check()
    page.get_by_text("Respuesta guardada a las").wait_for()
    assert "Answer saved" not in page.locator("main").inner_text()

    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() + timedelta(seconds=33))
    page.reload()
    region = page.locator("[data-countdown-announce]")
    page.get_by_text("Tiempo restante: 30 segundos.", exact=False).wait_for(state="attached")
    assert region.inner_text().startswith("Tiempo restante: 30 segundos. Envíe antes de las ")
    assert_no_violations(page)
