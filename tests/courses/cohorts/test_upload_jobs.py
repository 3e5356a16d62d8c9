"""Confirmed uploads are added by the worker in batches, with a status page that shows
progress, and can carry on after a stop without adding anyone twice."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks import default_task_backend

from courses.cohorts import upload_jobs
from courses.models import CohortInvitation, CohortUploadJob, UploadStatus
from tests import factories

PEOPLE = 1_200


@pytest.fixture
def queued(settings):
    """A backend that only records tasks: nothing runs until the test runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def upload_url(cohort):
    return reverse("courses:cohort_upload", args=[cohort.public_id])


def job_url(job, name="cohort_upload_job"):
    return reverse(f"courses:{name}", args=[job.cohort.public_id, job.public_id])


def people_csv(count=PEOPLE):
    return "email,name\r\n" + "".join(
        f"person{i:04d}@example.org,Person {i}\r\n" for i in range(count)
    )


def upload_and_confirm(client, cohort, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        upload_url(cohort),
        {"file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")},
    )
    token = response.url.split("?preview=")[1]
    return client.post(upload_url(cohort), {"token": token, "valid_only": "on"})


def run_queued(backend):
    """Run the upload tasks the backend holds, as the worker would, and forget them."""
    for result in list(backend.results):
        if result.task.name == "process_upload":
            result.task.call(*result.args, **result.kwargs)
    backend.clear()


class TestConfirmingQueuesTheWork:
    def test_the_request_only_queues_and_the_worker_invites_everyone(
        self, manager_client, cohort, queued, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(20):  # nothing per row inside the request
            response = upload_and_confirm(manager_client, cohort, people_csv())
        job = CohortUploadJob.objects.get(cohort=cohort)
        assert response.status_code == 302 and response.url == job_url(job)
        assert not CohortInvitation.objects.filter(cohort=cohort).exists()
        assert (job.status, job.total, job.processed) == (UploadStatus.QUEUED, PEOPLE, 0)
        assert [r.task.name for r in queued.results] == ["process_upload"]

        page = manager_client.get(response.url).text
        assert "0 of 1,200 processed" in page
        assert f'href="{job_url(job)}"' in page  # Refresh, without JavaScript
        assert "upload-progress.js" in page and "<script>" not in page

        run_queued(queued)
        job.refresh_from_db()
        assert (job.status, job.processed, job.invited, job.already) == ("done", PEOPLE, PEOPLE, 0)
        assert job.rows == []  # the addresses are not kept once added
        assert CohortInvitation.objects.filter(cohort=cohort).count() == PEOPLE
        page = manager_client.get(response.url).text
        assert "1,200 of 1,200 processed" in page
        assert "Invitations were sent to 1,200 people" in page
        assert "upload-progress.js" not in page

    def test_running_the_task_again_adds_nobody_twice(self, manager_client, cohort, queued):
        upload_and_confirm(manager_client, cohort, people_csv(30))
        job = CohortUploadJob.objects.get()
        upload_jobs.run(job.pk)
        upload_jobs.run(job.pk)
        # A worker that died after a batch but before its count: the rows come back as
        # "already invited", not as second invitations.
        CohortUploadJob.objects.filter(pk=job.pk).update(
            status=UploadStatus.RUNNING, processed=0, rows=job.rows
        )
        upload_jobs.run(job.pk)
        assert CohortInvitation.objects.filter(cohort=cohort).count() == 30
        job.refresh_from_db()
        assert (job.status, job.processed, job.already) == ("done", 30, 30)

    def test_people_already_invited_are_counted_not_invited_again(
        self, manager_client, cohort, queued
    ):
        upload_and_confirm(manager_client, cohort, people_csv(10))
        run_queued(queued)
        upload_and_confirm(manager_client, cohort, people_csv(12))
        run_queued(queued)
        job = CohortUploadJob.objects.latest("created_at")
        assert (job.invited, job.already) == (2, 10)
        assert "10 were already in the cohort" in manager_client.get(job_url(job)).text


class TestAStopMidWay:
    def test_a_full_cohort_stops_the_upload_which_carries_on_later(
        self, manager_client, cohort, queued
    ):
        upload_and_confirm(manager_client, cohort, people_csv())
        job = CohortUploadJob.objects.get()
        cohort.seat_limit = 700  # others took places after the confirmation
        cohort.save()
        run_queued(queued)
        job.refresh_from_db()
        assert job.status == UploadStatus.FAILED
        assert (job.processed, job.invited) == (upload_jobs.BATCH_SIZE, upload_jobs.BATCH_SIZE)
        assert "free places" in job.message
        # The first batch stays added, in order; nothing of the second one is.
        emails = set(CohortInvitation.objects.filter(cohort=cohort).values_list("email", flat=True))
        assert emails == {f"person{i:04d}@example.org" for i in range(upload_jobs.BATCH_SIZE)}
        page = manager_client.get(job_url(job)).text
        assert "stopped before the end" in page and "500 of 1,200 processed" in page
        assert f'action="{job_url(job, "cohort_upload_job_resume")}"' in page

        cohort.seat_limit = None
        cohort.save()
        response = manager_client.post(job_url(job, "cohort_upload_job_resume"))
        assert response.status_code == 302 and response.url == job_url(job)
        job.refresh_from_db()
        assert (job.status, job.message) == (UploadStatus.QUEUED, "")
        run_queued(queued)
        job.refresh_from_db()
        assert (job.status, job.processed, job.invited) == ("done", PEOPLE, PEOPLE)
        assert CohortInvitation.objects.filter(cohort=cohort).count() == PEOPLE

    def test_only_a_stopped_upload_can_be_restarted(self, manager_client, cohort, queued):
        upload_and_confirm(manager_client, cohort, people_csv(3))
        job = CohortUploadJob.objects.get()
        assert manager_client.get(job_url(job, "cohort_upload_job_resume")).status_code == 405
        manager_client.post(job_url(job, "cohort_upload_job_resume"))
        names = [r.task.name for r in queued.results]
        assert names.count("process_upload") == 1  # the confirmation's task only

    def test_a_closed_cohort_is_refused_at_confirmation(self, manager_client, cohort, queued):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = manager_client.post(
            upload_url(cohort),
            {"file": SimpleUploadedFile("p.csv", people_csv(3).encode(), "text/csv")},
        )
        token = response.url.split("?preview=")[1]
        cohort.is_active = False
        cohort.save()
        response = manager_client.post(upload_url(cohort), {"token": token})
        assert "?preview=" in response.url
        assert not CohortUploadJob.objects.exists()
        assert not [r for r in queued.results if r.task.name == "process_upload"]


class TestStatusPageAccess:
    @pytest.fixture
    def job(self, manager_client, cohort, queued):
        upload_and_confirm(manager_client, cohort, people_csv(3))
        return CohortUploadJob.objects.get()

    @pytest.mark.parametrize(
        "method, name",
        [
            ("get", "cohort_upload_job"),
            ("get", "cohort_upload_job_progress"),
            ("post", "cohort_upload_job_resume"),
        ],
    )
    def test_a_manager_of_another_organisation_gets_a_404(self, job, make_user, method, name):
        other = make_user("other@elsewhere.example")
        factories.make_organisation("Elsewhere", managers=[other])
        client = Client()
        client.force_login(other)
        assert getattr(client, method)(job_url(job, name)).status_code == 404

    def test_a_learner_gets_a_404(self, job, learner):
        client = Client()
        client.force_login(learner)
        assert client.get(job_url(job)).status_code == 404
        assert client.get(job_url(job, "cohort_upload_job_progress")).status_code == 404

    def test_visitors_are_sent_to_log_in(self, job):
        response = Client().get(job_url(job))
        assert response.status_code == 302 and "login" in response.url

    def test_a_job_is_only_found_under_its_own_cohort(self, manager_client, job, small_course):
        other = factories.make_cohort(small_course, organisation=job.cohort.organisation)
        url = reverse("courses:cohort_upload_job", args=[other.public_id, job.public_id])
        assert manager_client.get(url).status_code == 404

    def test_a_colleague_managing_the_cohort_sees_it(self, job, make_user):
        colleague = make_user("colleague@northbridge.example")
        job.cohort.organisation.managers.add(colleague)
        client = Client()
        client.force_login(colleague)
        assert client.get(job_url(job)).status_code == 200

    def test_the_progress_endpoint(self, manager_client, job, queued):
        response = manager_client.get(job_url(job, "cohort_upload_job_progress"))
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        data = response.json()
        assert data["status"] == "queued" and data["finished"] is False
        assert (data["processed"], data["total"], data["text"]) == (0, 3, "0 of 3 processed")
        run_queued(queued)
        data = manager_client.get(job_url(job, "cohort_upload_job_progress")).json()
        assert data["finished"] is True and (data["processed"], data["invited"]) == (3, 3)

    def test_the_scripts_words_and_the_numbers_follow_the_language(self, manager_client, job):
        with translation.override("es"):
            url = job_url(job)
            progress_url = job_url(job, "cohort_upload_job_progress")
        CohortUploadJob.objects.filter(pk=job.pk).update(total=12_000)
        english = manager_client.get(job_url(job, "cohort_upload_job_progress")).json()
        assert english["text"] == "0 of 12,000 processed"
        page = manager_client.get(url).content.decode()
        assert 'data-text="{processed} de {total} procesadas"' in page
        data = manager_client.get(progress_url).json()
        assert data["text"] == "0 de 12\xa0000 procesadas"  # Spanish groups with a space

    def test_the_status_page_uses_a_fixed_number_of_queries(
        self, manager_client, job, django_assert_max_num_queries
    ):
        # The layout's Courses link, with a cold cache, reads the site root paths with their
        # translations (Wagtail's internationalisation): one query more than before it was on.
        with django_assert_max_num_queries(15):
            assert manager_client.get(job_url(job)).status_code == 200


class TestAStalledUpload:
    def test_an_upload_whose_worker_went_away_can_be_carried_on(
        self, manager_client, cohort, queued
    ):
        from datetime import timedelta

        from django.utils import timezone

        upload_and_confirm(manager_client, cohort, people_csv(3))
        queued.clear()
        job = CohortUploadJob.objects.get()
        CohortUploadJob.objects.filter(pk=job.pk).update(status=UploadStatus.RUNNING)
        assert "Carry on" not in manager_client.get(job_url(job)).text  # still fresh
        manager_client.post(job_url(job, "cohort_upload_job_resume"))
        assert not queued.results
        stalled = timezone.now() - upload_jobs.STALLED_AFTER - timedelta(minutes=1)
        CohortUploadJob.objects.filter(pk=job.pk).update(updated_at=stalled)
        assert "Carry on from where it stopped" in manager_client.get(job_url(job)).text
        manager_client.post(job_url(job, "cohort_upload_job_resume"))
        run_queued(queued)
        job.refresh_from_db()
        assert (job.status, job.invited) == ("done", 3)
