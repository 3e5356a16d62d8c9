"""A manager follows one member and sends them a reminder, after reading the email it will
send: on a desktop and on a phone, with the accessibility check on every page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from courses.cohorts import services as cohorts
from courses.models import CohortMembership
from tests.e2e.test_site import PASSWORD


@pytest.fixture
def cohort(manager_cohort, make_user):
    cohort, _lessons = manager_cohort(due_within_days=30)
    sam = make_user("sam@example.org", password=PASSWORD, first_name="Sam", last_name="Rivera")
    cohorts.join(cohort, sam)
    CohortMembership.objects.filter(user=sam).update(joined_at=timezone.now() - timedelta(days=40))
    cohorts.apply_due_dates(cohort)
    return cohort


# The elements reaching past the right edge outside a scrolling region (for the message).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('[role=region]'))
  .slice(0, 6)
  .map(e => e.tagName + '.' + e.className)"""


def assert_fits(page):
    """Nothing is wider than the screen: wide tables scroll inside their own region."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(WIDEST)
    assert overflow <= 1, f"the page is {overflow}px wider than the screen: {wide}"


@pytest.mark.parametrize("viewport", [(1280, 800), (375, 812)], ids=["desktop", "phone"])
def test_manager_reminds_a_member_after_previewing_the_email(
    page, cohort, sign_in_manager, assert_accessible, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    sign_in_manager()
    assert_accessible(page)
    page.get_by_role("link", name="Moderators").first.click()
    page.wait_for_url(f"**/manage/cohorts/{cohort.public_id}/")
    assert "What these figures mean" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Sam Rivera", exact=True).click()
    page.wait_for_url("**/members/*/")
    main = page.locator("main").inner_text()
    assert "Lesson 1.1" in main and "Time on task" in main
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Send reminder", exact=True).click()
    page.wait_for_url("**/remind/")
    preview = page.locator(".email-preview").inner_text()
    assert "A reminder about your training for Northbridge Social" in preview
    assert "Hello Sam," in preview and "Test course" in preview
    assert_accessible(page)
    assert_fits(page)
    assert mail.outbox == []

    page.get_by_role("button", name="Confirm: send the reminder").click()
    page.wait_for_url("**/members/*/")
    assert "A reminder is on its way to Sam Rivera." in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
