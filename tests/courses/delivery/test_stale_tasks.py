"""A worker killed mid-task leaves its task RUNNING in the database queue: `requeue_stale_tasks`
puts idempotent ones back (the next worker runs them) and marks the others failed."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from courses.delivery.services import queue
from courses.delivery.tasks import deliver_outbox
from courses.learning.tasks import recompute_course_progress
from courses.models import DeliveryStatus, OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_and_die(result, minutes_ago):
    """What a worker killed after claiming the task leaves behind."""
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


def status(result):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(pk=result.id).status


def test_a_lost_delivery_is_run_again_and_the_email_goes_once(queued_tasks, smtp_server):
    queue("stale:1", "a@example.org", "Subject", "Body")
    result = deliver_outbox.enqueue()
    run_and_die(result, minutes_ago=45)
    fresh = deliver_outbox.enqueue()
    run_and_die(fresh, minutes_ago=1)  # still within its time: left alone

    call_command("requeue_stale_tasks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert status(result) == "READY"
    assert status(fresh) == "RUNNING"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert status(result) == "SUCCESSFUL"
    assert OutboundEmail.objects.get(key="stale:1").status == DeliveryStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == ["a@example.org"]


def test_other_lost_tasks_are_marked_failed_not_rerun(queued_tasks):
    result = recompute_course_progress.enqueue(12345)
    run_and_die(result, minutes_ago=45)
    call_command("requeue_stale_tasks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert "worker-that-died" in row.traceback


def test_the_threshold_has_a_floor(queued_tasks):
    with pytest.raises(CommandError, match="at least 60"):
        call_command("requeue_stale_tasks", "--older-than", "5")
