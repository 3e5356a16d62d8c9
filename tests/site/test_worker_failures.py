"""Task workers failing for real: a worker process sending the outbox against a real SMTP server
on loopback, with each task backend the deployment guide offers — the database queue
(`manage.py db_worker`) and the Redis queue (django-tasks-rq, `manage.py rqworker`).

- The mail server is down, then up: nothing is lost, and each email arrives exactly once.
- A worker is killed (`kill -9`, its whole process group) in the middle of a batch: once its
  lease has run out, the next worker sends the rest. The guarantee is at-least-once with a
  window of one message: an email the mail server accepted in the instant between its "250"
  and the worker recording it as sent goes again, with the same Message-ID (receivers and
  people can tell it is one email); every other email arrives exactly once.

PostgreSQL only (DATABASE_URL=postgres://…): the worker processes read the test's database,
which an in-memory SQLite test database cannot share. Redis (the cache, and the Redis queue) is
database 11 of a redis-server started here, or without that program of the server on
127.0.0.1:6379 (only database 11 is emptied, before and after)."""

import collections
import os
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from courses.delivery import services as delivery
from courses.models import DeliveryStatus, OutboundEmail
from tests.site.servers import (
    ROOT,
    PostgresCluster,
    Processes,
    connect,
    create_database,
    manage,
    postgres_url,
    wait_until,
)
from tests.smtp_server import SmtpServer

pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.django_db(transaction=True)]

SHARED_REDIS_URL = "redis://127.0.0.1:6379/11"
LEASE_SECONDS = 4


@pytest.fixture
def processes(tmp_path):
    running = Processes(tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def redis_url(processes):
    """Database 11 of a throwaway redis-server started here or, without the redis-server
    program, of the Redis server on 127.0.0.1:6379 (emptied before and after; nothing else
    is touched). Skips when neither is there."""
    if shutil.which("redis-server"):
        yield f"redis://127.0.0.1:{processes.redis()}/11"
        return
    import redis

    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Needs Redis: redis-server installed, or a server on 127.0.0.1:6379")
    client.flushdb()
    try:
        yield SHARED_REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(params=["database", "rq"])
def backend(request, redis_url):
    """The task backend the worker processes use: environment and worker command."""
    if request.param == "database":
        return {
            "env": {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "CACHE_URL": redis_url},
            "worker": ["db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        }
    return {
        "env": {
            "TASKS_BACKEND": "django_tasks_rq.RQBackend",
            "TASKS_REDIS_URL": redis_url,
            "CACHE_URL": redis_url,
        },
        "worker": ["rqworker", "--job-class", "django_tasks_rq.Job"],
    }


class Site:
    """The production settings against this test's database, a mail server and a queue."""

    def __init__(self, backend, processes, smtp, database_url=None):
        if database_url is None:
            url = postgres_url()
            parts = urllib.parse.urlparse(url)
            database_url = urllib.parse.urlunparse(
                parts._replace(path=f"/{connection.settings_dict['NAME']}")
            )
        self.processes = processes
        self.backend = backend
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lantern.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}?tls=false",
            "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,  # the same Message-IDs
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING",
            **backend["env"],
        }

    def worker(self):
        """Start a task worker, leading a process group of its own."""
        return self.processes.start(
            f"worker-{secrets.token_hex(3)}",
            [sys.executable, "manage.py", *self.backend["worker"]],
            env=self.env,
            new_session=True,
        )

    def manage(self, code):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def enqueue_delivery(self):
        """Queue the delivery task, as a web request or the cron job does."""
        self.manage(
            "from courses.delivery.tasks import deliver_outbox; print(deliver_outbox.enqueue().id)"
        )

    def output(self, process):
        return self.processes.output(process)


def queue_emails(count, prefix):
    keys = [f"{prefix}:{n}" for n in range(count)]
    for n, key in enumerate(keys):
        delivery.queue(key, f"person{n}@example.org", f"Email {n}", "Hello.")
    return keys


def statuses():
    return collections.Counter(OutboundEmail.objects.values_list("status", flat=True))


@pytest.fixture
def mail_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def slow_mail_server():
    """A mail server taking 0.5 s over each message before it accepts it."""
    server = SmtpServer(delay=0.5)
    server.start()
    yield server
    server.stop()


def test_mail_server_down_then_up_every_email_arrives_once(backend, processes, mail_server):
    site = Site(backend, processes, mail_server)
    mail_server.stop()
    keys = queue_emails(3, "down")
    worker = site.worker()
    site.enqueue_delivery()
    tried = wait_until(
        lambda: OutboundEmail.objects.filter(attempts=1, last_error__gt="").count() == 3,
        timeout=40,
    )
    assert tried, site.output(worker)
    assert statuses() == {DeliveryStatus.PENDING: 3}  # waiting, not lost and not sent
    assert all(
        row.last_error.startswith("ConnectionRefusedError")
        and row.next_attempt_at > timezone.now()
        and row.claimed_until is None
        for row in OutboundEmail.objects.all()
    )

    mail_server.start()
    # The backoff has passed (1 minute after a first failure): due again.
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    site.enqueue_delivery()
    sent = wait_until(lambda: statuses() == {DeliveryStatus.SENT: 3}, timeout=40)
    assert sent, site.output(worker)
    assert sorted(mail_server.message_ids()) == sorted(delivery.message_id(k) for k in keys)
    assert mail_server.connections == 1  # one SMTP connection for the batch
    # Another run, and the cron safety net, find nothing more to send.
    site.enqueue_delivery()
    assert "Sent 0 email(s); 0 waiting, 0 not delivered." in site.manage(
        "from django.core.management import call_command; call_command('deliver_outbox')"
    )
    assert len(mail_server.messages) == 3
    assert worker.poll() is None, site.output(worker)


def test_worker_killed_mid_batch_the_next_one_sends_the_rest(backend, processes, slow_mail_server):
    server = slow_mail_server
    site = Site(backend, processes, server)
    keys = queue_emails(8, "kill")
    expected = {delivery.message_id(key): key for key in keys}
    first = site.worker()
    site.enqueue_delivery()
    assert wait_until(lambda: len(server.messages) >= 3, timeout=40), site.output(first)
    processes.kill_group(first)

    accepted = collections.Counter(server.message_ids())
    sent_rows = set(
        OutboundEmail.objects.filter(status=DeliveryStatus.SENT).values_list("key", flat=True)
    )
    # An email accepted but not yet recorded as sent when the worker died: at most one.
    in_flight = {expected[mid] for mid in accepted} - sent_rows
    assert len(in_flight) <= 1
    assert sent_rows <= {expected[mid] for mid in accepted}  # nothing marked before it went
    assert 3 <= len(sent_rows) + len(in_flight) < len(keys)
    held = OutboundEmail.objects.exclude(status=DeliveryStatus.SENT)
    assert held.count() == len(keys) - len(sent_rows)
    assert all(row.status == DeliveryStatus.SENDING for row in held)
    # While the dead worker's lease runs, nobody else takes its emails.
    assert delivery.claim() == []
    if "TASKS_REDIS_URL" in backend["env"]:
        assert_rq_gives_up_the_dead_workers_job(site)

    assert wait_until(
        lambda: not OutboundEmail.objects.filter(claimed_until__gt=timezone.now()).exists(),
        timeout=LEASE_SECONDS + 5,
    )
    second = site.worker()
    site.enqueue_delivery()
    done = wait_until(lambda: statuses() == {DeliveryStatus.SENT: len(keys)}, timeout=40)
    assert done, site.output(second)

    received = collections.Counter(server.message_ids())
    assert set(received) == set(expected)  # every email arrived
    twice = {expected[mid] for mid, count in received.items() if count > 1}
    assert twice == in_flight  # only the one in flight at the kill, if any, went twice
    assert all(count <= 2 for count in received.values())
    # The emails the first worker had sent were left alone; the others were tried again.
    for row in OutboundEmail.objects.all():
        assert row.attempts == (1 if row.key in sent_rows else 2), row.key


RQ_REGISTRIES = """
import json, time
import django_rq
from django_tasks_rq.backend import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry
queue = django_rq.get_queue("default", job_class=Job)
# Built as the worker's maintenance (rq.registry.clean_registries) builds them.
started = StartedJobRegistry(queue.name, connection=queue.connection, job_class=Job)
failed = FailedJobRegistry(queue.name, connection=queue.connection, job_class=Job)
seconds = {seconds}
if seconds:
    started.cleanup(timestamp=time.time() + seconds)
jobs = [Job.fetch(i, connection=queue.connection) for i in failed.get_job_ids()]
print(json.dumps({{
    "started": started.get_job_ids(),
    "failed": failed.get_job_ids(),
    "errors": [(job.get_status(), job.latest_result().exc_string) for job in jobs],
}}))
"""


def rq_registries(site, seconds_later=0):
    """RQ's started and failed registries, after the maintenance a worker would run
    `seconds_later` from now (0: none)."""
    import json

    return json.loads(site.manage(RQ_REGISTRIES.format(seconds=seconds_later)).splitlines()[-1])


def assert_rq_gives_up_the_dead_workers_job(site):
    """RQ never runs a job twice by itself: the killed worker's job stays in the started
    registry until its heartbeat (at most 90 s) has lapsed; then the next worker's
    maintenance (on start, then every 10 minutes) moves it to the failed registry as
    abandoned. Delivery does not depend on it: the outbox rows carry the state, and the next
    delivery task (or the `deliver_outbox` cron job) sends what is left."""
    before = rq_registries(site)
    assert len(before["started"]) == 1 and before["failed"] == []
    assert rq_registries(site, seconds_later=30)["started"] == before["started"]  # not yet
    after = rq_registries(site, seconds_later=120)
    assert after["started"] == []
    assert after["failed"] == before["started"]
    [(status, error)] = after["errors"]
    assert status == "failed" and "AbandonedJobError" in error


# The database restarts under a running worker.


@pytest.fixture(scope="module")
def restarting_database():
    """A migrated database on a PostgreSQL server of its own, which a test stops and starts
    (the test's own database server is shared by the other tests and stays up)."""
    postgres_url()  # run with the other worker tests, in the PostgreSQL pass
    cluster = PostgresCluster()
    try:
        name, url = create_database(cluster.url, "restart")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lantern.settings.test",
            "DATABASE_URL": url,
        }
        manage(env, "migrate", "--noinput", timeout=600)
        yield cluster, name, url
    finally:
        cluster.close()


def cluster_rows(cluster, name, sql):
    with connect(cluster.url, name) as conn:
        return conn.execute(sql).fetchall()


def test_worker_keeps_running_while_postgresql_restarts(
    backend, processes, mail_server, restarting_database
):
    """PostgreSQL shuts down (a restart, an upgrade, a failover) under a running worker, stays
    down for a while and comes back: the same worker process carries on — the database-queue
    worker polls, fails, waits longer each time and tries again; the RQ worker waits on Redis
    and its next job opens a new connection — and every email arrives once."""
    cluster, name, url = restarting_database
    cluster_rows(cluster, name, "DELETE FROM courses_outboundemail RETURNING id")
    site = Site(backend, processes, mail_server, database_url=url)

    def queue_and_send(prefix):
        site.manage(
            "from courses.delivery import services as d\n"
            f"for n in range(2): d.queue(f'{prefix}:{{n}}', f'{prefix}{{n}}@example.org', "
            "'Hello', 'Hello.')\n"
            "from courses.delivery.tasks import deliver_outbox; deliver_outbox.enqueue()"
        )

    worker = site.worker()
    queue_and_send("before")
    assert wait_until(lambda: len(mail_server.messages) == 2, timeout=40), site.output(worker)

    cluster.stop()
    if backend["worker"][0] == "db_worker":
        # It has polled a closed server at least twice, and waits instead of exiting.
        assert wait_until(
            lambda: site.output(worker).count("Database unavailable") >= 2, timeout=20
        ), site.output(worker)
    else:
        wait_until(lambda: False, timeout=3)  # down for a while
    assert worker.poll() is None, site.output(worker)
    cluster.start()

    queue_and_send("after")
    assert wait_until(lambda: len(mail_server.messages) == 4, timeout=60), site.output(worker)
    assert worker.poll() is None, site.output(worker)  # the same process, never restarted
    keys = [f"{prefix}:{n}" for prefix in ("before", "after") for n in range(2)]
    assert sorted(mail_server.message_ids()) == sorted(delivery.message_id(k) for k in keys)
    rows = cluster_rows(cluster, name, "SELECT status FROM courses_outboundemail")
    assert sorted(status for (status,) in rows) == [DeliveryStatus.SENT] * 4
