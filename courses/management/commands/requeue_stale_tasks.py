"""Tasks left RUNNING by a worker that died (kill -9, a lost machine): run them again or mark
them failed (docs/deploy.md). Run it from cron every few minutes."""

from datetime import timedelta

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

# Tasks that are safe to run again while an earlier run might, in theory, still be going:
# each takes its work under a lease or a lock and records what it has done.
IDEMPOTENT_TASKS = {
    "courses.delivery.tasks.deliver_outbox",
    "courses.xapi.tasks.send_xapi",
}


class Command(BaseCommand):
    help = (
        "Find tasks in the database queue that have been RUNNING for longer than --older-than "
        "seconds (their worker died): put idempotent ones (email and xAPI delivery) back in "
        "the queue, and mark the others FAILED so that they show in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=30 * 60,
            help="Seconds a task may run before it counts as lost (default 1800).",
        )

    def handle(self, *args, older_than, **options):
        if not apps.is_installed("django_tasks_db"):
            raise CommandError("The database task queue (django_tasks_db) is not installed.")
        if older_than < 60:
            raise CommandError("--older-than must be at least 60 seconds.")
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        now = timezone.now()
        stale = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=older_than)
        )
        requeued = failed = 0
        with transaction.atomic():
            for result in stale.select_for_update(skip_locked=True):
                if result.task_path in IDEMPOTENT_TASKS:
                    result.status = TaskResultStatus.READY
                    result.run_after = now
                    result.save(update_fields=["status", "run_after"])
                    requeued += 1
                else:
                    result.status = TaskResultStatus.FAILED
                    result.finished_at = now
                    result.exception_class_path = "courses.WorkerLost"
                    result.traceback = (
                        f"No result after {older_than} s: the worker that ran it "
                        f"({', '.join(result.worker_ids) or 'unknown'}) stopped. "
                        "Run the work again from where it is shown (e.g. an upload's "
                        "'Carry on')."
                    )
                    result.save(
                        update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                    )
                    failed += 1
        self.stdout.write(
            self.style.SUCCESS(f"Requeued {requeued} task(s); marked {failed} as failed.")
        )
