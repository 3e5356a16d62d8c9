"""A manager watches a large upload's progress: the page updates itself while the worker adds
people (a static script, under the Content Security Policy), then shows what was done."""

from courses.models import CohortUploadJob, UploadStatus
from tests import factories
from tests.e2e.test_site import PASSWORD, log_in


def test_the_status_page_follows_the_worker(page, make_user, assert_accessible):
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    course, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
    manager = make_user("lead@example.org", password=PASSWORD)
    organisation = factories.make_organisation("Northbridge Social", managers=[manager])
    cohort = factories.make_cohort(course, organisation, name="Moderators")
    job = CohortUploadJob.objects.create(
        cohort=cohort, created_by=manager, filename="people.csv", total=10_000
    )
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    url = f"/manage/cohorts/{cohort.public_id}/uploads/{job.public_id}/"
    log_in(page, "lead@example.org", url)
    status = page.locator("[data-upload-job-text]")
    assert status.inner_text() == "0 of 10,000 processed"
    assert_accessible(page)

    CohortUploadJob.objects.filter(pk=job.pk).update(
        status=UploadStatus.RUNNING, processed=3_000, invited=3_000
    )
    page.wait_for_function(
        "() => document.querySelector('[data-upload-job-text]').textContent"
        " === '3,000 of 10,000 processed'"
    )
    assert page.locator("[data-upload-job-bar]").get_attribute("value") == "3000"

    CohortUploadJob.objects.filter(pk=job.pk).update(
        status=UploadStatus.DONE, processed=10_000, invited=9_990, already=10
    )
    page.get_by_text("Invitations were sent to 9,990 people").wait_for()
    assert "10 were already in the cohort" in page.locator("main").inner_text()
    assert_accessible(page)
    assert errors == []  # no script or style refused by the Content Security Policy


def test_the_status_page_speaks_the_pages_language(page, make_user):
    """Under /es/ the script writes the Spanish words, the numbers as Spanish writes them."""
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    course, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
    manager = make_user("lead@example.org", password=PASSWORD)
    organisation = factories.make_organisation("Northbridge Social", managers=[manager])
    cohort = factories.make_cohort(course, organisation, name="Moderators")
    job = CohortUploadJob.objects.create(
        cohort=cohort, created_by=manager, filename="people.csv", total=100_000
    )
    url = f"/es/manage/cohorts/{cohort.public_id}/uploads/{job.public_id}/"
    log_in(page, "lead@example.org", url)
    page.wait_for_function(
        "() => document.querySelector('[data-upload-job-text]').textContent"
        " === '0 de 100.000 procesadas'"
    )
    CohortUploadJob.objects.filter(pk=job.pk).update(
        status=UploadStatus.RUNNING, processed=30_000, invited=30_000
    )
    page.wait_for_function(
        "() => document.querySelector('[data-upload-job-text]').textContent"
        " === '30.000 de 100.000 procesadas'"
    )
