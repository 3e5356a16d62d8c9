"""A manager enrols staff by spreadsheet and follows them; a learner joins by link; a holder
downloads their certificate. In a real browser, with the accessibility check."""

from datetime import date

import pytest

from courses.cohorts import services as cohorts
from courses.learning import services as progress
from tests.e2e.test_site import PASSWORD, log_in


@pytest.fixture
def cohort(manager_cohort, make_user):
    cohort, _lessons = manager_cohort(due_on=date(2020, 3, 31), seat_limit=10)
    late = make_user("late@example.org", password=PASSWORD, first_name="Lou", last_name="Late")
    cohorts.join(cohort, late)
    return cohort


def test_manager_uploads_a_spreadsheet_then_follows_and_reminds(
    page, cohort, sign_in_manager, assert_accessible
):
    sign_in_manager()
    assert_accessible(page)
    page.get_by_role("link", name="Moderators").first.click()
    page.wait_for_url(f"**/manage/cohorts/{cohort.public_id}/")
    assert "late@example.org" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Add people from a spreadsheet (CSV)").click()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "staff.csv",
                "mimeType": "text/csv",
                "buffer": b"email;name\nnew.one@example.org;Nia One\nnot-an-email;Bad Row\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    main = page.locator("main").inner_text()
    assert "new.one@example.org" in main and "not-an-email" in main
    assert_accessible(page)
    page.get_by_label("Add the rows without problems", exact=False).check()
    page.get_by_role("button", name="Invite 1 person").click()
    # The upload is processed by the worker (here at once): its job page reports the result.
    page.wait_for_url(f"**/manage/cohorts/{cohort.public_id}/uploads/**")
    assert "1 of 1 processed" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the cohort").click()
    page.wait_for_url(f"**/manage/cohorts/{cohort.public_id}/")
    assert "new.one@example.org" in page.locator("main").inner_text()

    page.get_by_role("link", name="Remind overdue members").click()
    page.get_by_role("button", name="Confirm: send the reminder").click()
    page.wait_for_url(f"**/manage/cohorts/{cohort.public_id}/")
    assert "1" in page.locator(".messages").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these rows as a spreadsheet (CSV)").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "late@example.org" in content and "new.one@example.org" in content


def test_learner_joins_by_link_and_sees_the_due_date(page, cohort, make_user, assert_accessible):
    make_user("joiner@example.org", password=PASSWORD)
    join = f"/join/{cohort.invite_code}/"
    page.goto(join)
    assert "Moderators" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Email address").fill("joiner@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{join}")
    page.get_by_role("button", name="Join Moderators").click()
    page.wait_for_url("**/learning/")
    assert (
        "Overdue: was due 31 March 2020, set by Northbridge Social"
        in page.locator("main").inner_text()
    )
    assert_accessible(page)


def test_holder_opens_and_downloads_the_certificate(page, cohort, assert_accessible):
    from courses.certificates.services import issue_certificate
    from courses.models import Enrolment

    enrolment = Enrolment.objects.get(user__email="late@example.org")
    for lesson in progress.course_lessons(enrolment.course):
        progress.complete_lesson(enrolment, lesson)
    enrolment.refresh_from_db()
    certificate, _created = issue_certificate(enrolment)
    log_in(page, "late@example.org", f"/certificates/{certificate.code}/")
    assert certificate.display_code in page.locator("main").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.goto(f"/verify/{certificate.code}/")
    assert (
        "Valid" in page.locator("main").inner_text() or "valid" in page.locator("main").inner_text()
    )
    assert_accessible(page)
