"""`manage.py db_worker`: django-tasks' database-queue worker, kept running while the database
is away.

django-tasks-db's worker exits on the first database error while it looks for a task, so a
PostgreSQL restart or failover stops every worker until a supervisor starts them again. This
command (it takes the place of django-tasks-db's own, since `lantern.ops` comes first in
INSTALLED_APPS) takes the same options and runs the same worker, but when the database cannot
be reached it closes its connections, logs a warning, waits (1 s, doubling up to 30 s) and
tries again. A task the database vanished under stays RUNNING in its row, if the row could not
be updated; `manage.py requeue_stale_tasks` (cron) puts it back in the queue once it is stale.
"""

import logging
import time

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")

FIRST_WAIT_SECONDS = 1
LONGEST_WAIT_SECONDS = 30


class Worker(db_worker.Worker):
    def run(self):
        wait = FIRST_WAIT_SECONDS
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    raise
                # A worker that ran for a while before losing the database starts over with
                # a short wait; one that keeps failing waits longer each time.
                if time.monotonic() - started > LONGEST_WAIT_SECONDS:
                    wait = FIRST_WAIT_SECONDS
                logger.warning(
                    "Database unavailable for worker_id=%s (%s: %s); trying again in %s s.",
                    self.worker_id,
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    wait,
                )
                self.running_task = False
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_SECONDS)


class Command(db_worker.Command):
    help = (
        db_worker.Command.help
        + " Keeps running when the database goes away, trying again with a growing wait."
    )

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
