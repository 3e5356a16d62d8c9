"""The reference deployment, for real: two gunicorn app servers with the production settings,
one PostgreSQL database and one Redis server, and task workers, all started here on 127.0.0.1.
A person's requests alternate between the servers, as behind a load balancer, and nothing they
notice depends on which server answers.

PostgreSQL only (DATABASE_URL=postgres://…): the processes share a database this module
creates, migrates and drops."""

import os
import secrets
import sys

import pytest

from tests.site.servers import (
    Browser,
    Processes,
    connect,
    create_database,
    drop_database,
    hidden_value,
    manage,
    postgres_url,
    require_tools,
    wait_until,
)

pytestmark = pytest.mark.xdist_group("servers")

PASSWORD = "a-long-test-password-" + secrets.token_hex(4)
SEED = f"""
from django.contrib.auth import get_user_model
from tests.factories import (
    make_cohort, make_course, make_course_index, make_organisation, verify_email,
)
User = get_user_model()
manager = verify_email(User.objects.create_user(
    email="manager@example.org", password="{PASSWORD}", first_name="Morgan"))
verify_email(User.objects.create_user(
    email="learner@example.org", password="{PASSWORD}", first_name="Lee"))
course, _ = make_course(make_course_index(), modules=1, lessons_per_module=1)
cohort = make_cohort(course, organisation=make_organisation(managers=[manager]))
print(cohort.public_id)
"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Redis, a migrated and seeded database, two app servers: {"servers": [port, port], ...}.
    Task workers are started by the tests that need them (`start_worker`)."""
    url = postgres_url()
    require_tools()
    workdir = tmp_path_factory.mktemp("deployment")
    processes = Processes(workdir)
    name = None
    try:
        redis_port = processes.redis()
        name, database_url = create_database(url, "lantern_two_servers")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lantern.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "REQUIRE_TWO_FACTOR": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "SESSION_ENGINE": "cache",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DATABASE_URL": database_url,
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_URL": f"file://{workdir / 'mail'}",
            "STATIC_ROOT": str(workdir / "static"),
            "BASE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        # Static files are collected while the database is migrated.
        static = processes.start(
            "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput"], env=env
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        assert static.wait(timeout=120) == 0, processes.output(static)
        cohort_id = manage(env, "shell", "-c", SEED).strip().splitlines()[-1]
        servers = [processes.gunicorn(env), processes.gunicorn(env)]
        yield {
            "servers": servers,
            "env": env,
            "processes": processes,
            "cohort_id": cohort_id,
            "url": url,
            "database": name,
            "database_url": database_url,
            "redis_port": redis_port,
            "mail": workdir / "mail",
        }
    finally:
        processes.stop_all()
        if name:
            drop_database(url, name)


def sign_in(browser, port, email="manager@example.org", password=PASSWORD):
    """Sign in through the login form on this server; return the form's response."""
    browser.get(port, "/account/login/")
    return browser.post(port, "/account/login/", {"login": email, "password": password})


def start_worker(deployment, *args):
    """Start a database task worker (`manage.py db_worker`) against the deployment."""
    return deployment["processes"].start(
        f"db_worker-{secrets.token_hex(3)}",
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
            *args,
        ],
        env=deployment["env"],
    )


def upload_and_confirm(browser, preview_port, confirm_port, cohort_id, email):
    """Upload a one-person CSV on one server, see its preview, confirm it on the other."""
    upload_url = f"/manage/cohorts/{cohort_id}/upload/"
    assert browser.get(preview_port, upload_url).status == 200
    uploaded = browser.post_file(
        preview_port, upload_url, "file", "people.csv", f"email,name\n{email},Sam\n".encode()
    )
    assert uploaded.status == 302, uploaded.text[:2000]
    preview = browser.get(confirm_port, uploaded.location)
    assert preview.status == 200
    assert email in preview.text
    token = hidden_value(preview.text, "token")
    confirmed = browser.post(confirm_port, upload_url, {"token": token})
    assert confirmed.status == 302
    # Confirming queues the upload for the worker and shows its job page.
    assert f"/manage/cohorts/{cohort_id}/uploads/" in confirmed.location
    return confirmed


def invitation_sent(browser, port, cohort_id, email):
    """Whether the cohort page on this server shows the person invited with the email sent
    (not yet while the worker has not processed the upload or sent the email)."""
    page = browser.get(port, f"/manage/cohorts/{cohort_id}/")
    assert page.status == 200
    if email not in page.text:
        return False
    row = page.text[page.text.index(email) :][:1500]
    return "email not sent yet" not in row


def test_signed_in_on_one_server_is_signed_in_on_the_other(deployment):
    a, b = deployment["servers"]
    browser = Browser()
    assert browser.get(b, "/account/").status == 302  # not signed in yet: to the login page
    assert sign_in(browser, a).status == 302
    account = browser.get(b, "/account/")
    assert account.status == 200
    assert "manager@example.org" in account.text
    # Signing out on B signs out everywhere.
    assert browser.post(b, "/account/logout/", {}).status == 302
    assert browser.get(a, "/account/").status == 302


def test_failed_sign_ins_are_counted_across_both_servers(deployment):
    a, b = deployment["servers"]
    browser = Browser(forwarded_for="198.51.100.20")
    for n in range(10):  # ACCOUNT_RATE_LIMITS["login_failed"]: 10 per 15 minutes per address
        response = sign_in(browser, (a, b)[n % 2], "learner@example.org", "not-the-password")
        assert response.status == 200
        assert "Too many failed" not in response.text
    for port in (a, b):
        refused = sign_in(browser, port, "learner@example.org", PASSWORD)
        assert refused.status == 200
        assert "Too many failed login attempts" in refused.text


def test_upload_preview_and_invitation_email_across_servers_and_worker(deployment):
    a, b = deployment["servers"]
    cohort_id = deployment["cohort_id"]
    browser = Browser(forwarded_for="198.51.100.30")
    assert sign_in(browser, a).status == 302
    job = upload_and_confirm(browser, a, b, cohort_id, "sam.one@example.org")
    # Queued in the database: nothing happens until a worker runs, as either server shows.
    assert "0 of 1 processed" in browser.get(a, job.location).text
    assert not invitation_sent(browser, b, cohort_id, "sam.one@example.org")
    worker = start_worker(deployment)
    sent = wait_until(lambda: invitation_sent(browser, a, cohort_id, "sam.one@example.org"))
    assert sent, deployment["processes"].output(worker)
    mail = "".join(p.read_text() for p in deployment["mail"].glob("*.log"))
    assert "To: sam.one@example.org" in mail
    deployment["processes"].stop(worker)


def rq_env(deployment):
    """The environment of app servers and workers using the Redis task queue."""
    return {
        **deployment["env"],
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "TASKS_REDIS_URL": f"redis://127.0.0.1:{deployment['redis_port']}/1",
    }


def start_rq_worker(deployment):
    return deployment["processes"].start(
        f"rqworker-{secrets.token_hex(3)}",
        [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job"],
        env=rq_env(deployment),
    )


def drop_database_connections(deployment):
    """End every connection to the deployment's database (a failover or restart would)."""
    with connect(deployment["url"], deployment["database"]) as conn:
        return conn.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()) AS ended",
            [deployment["database"]],
        ).fetchone()[0]


@pytest.mark.parametrize("queue", ["database", "rq"])
def test_worker_carries_on_after_its_database_connection_is_dropped(deployment, queue):
    """A database failover or restart ends every connection: the worker reconnects, with the
    database queue (`db_worker`, which polls the database) and with the Redis queue
    (`rqworker`, whose jobs read and write the database)."""
    processes = deployment["processes"]
    cohort_id = deployment["cohort_id"]
    browser = Browser(forwarded_for=f"198.51.100.{41 if queue == 'database' else 42}")
    if queue == "database":
        a, b = deployment["servers"]
        worker = start_worker(deployment)
    else:
        a, b = deployment["servers"][0], processes.gunicorn(rq_env(deployment))
        worker = start_rq_worker(deployment)
    try:
        assert sign_in(browser, b).status == 302
        # The worker has done some work (and so holds connections) ...
        first, second = f"{queue}.before@example.org", f"{queue}.after@example.org"
        upload_and_confirm(browser, a, b, cohort_id, first)
        sent = wait_until(lambda: invitation_sent(browser, a, cohort_id, first), timeout=40)
        assert sent, processes.output(worker)
        # ... when the database drops every connection.
        assert drop_database_connections(deployment) >= 1
        upload_and_confirm(browser, a, b, cohort_id, second)
        sent = wait_until(lambda: invitation_sent(browser, a, cohort_id, second), timeout=40)
        assert sent, processes.output(worker)
        assert worker.poll() is None, processes.output(worker)
        mail = "".join(p.read_text() for p in deployment["mail"].glob("*.log"))
        assert mail.count(f"To: {second}") == 1
    finally:
        processes.stop_all_but(deployment["servers"])


def test_redis_queue_backend_runs_tasks_in_an_rq_worker(deployment):
    """TASKS_BACKEND=django_tasks_rq.RQBackend: the queue lives in Redis (TASKS_REDIS_URL) and
    `manage.py rqworker` runs it."""
    processes = deployment["processes"]
    env = rq_env(deployment)
    server = processes.gunicorn(env)
    try:
        cohort_id = deployment["cohort_id"]
        browser = Browser(forwarded_for="198.51.100.50")
        assert sign_in(browser, server).status == 302
        # Uploaded on A, confirmed on the server that queues in Redis.
        upload_and_confirm(browser, deployment["servers"][0], server, cohort_id, "rq@example.org")
        assert not invitation_sent(browser, server, cohort_id, "rq@example.org")
        worker = processes.start(
            "rqworker",
            [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job"],
            env=env,
        )
        sent = wait_until(lambda: invitation_sent(browser, server, cohort_id, "rq@example.org"))
        assert sent, processes.output(worker)
        mail = "".join(p.read_text() for p in deployment["mail"].glob("*.log"))
        assert "To: rq@example.org" in mail
    finally:
        processes.stop_all_but(deployment["servers"])


FIND_LESSON = """
from courses.models import LessonPage
lesson = LessonPage.objects.live().order_by("path").first()
print(lesson.pk, lesson.get_parent().get_parent().url, lesson.url, sep="\\n")
"""
RENAME_LESSON = """
from courses.models import LessonPage
lesson = LessonPage.objects.get(pk={pk})
lesson.title = "Recognising coercion, revised"
lesson.save_revision().publish()
"""
WITHDRAW_LESSON = """
from courses.models import LessonPage
LessonPage.objects.get(pk={pk}).unpublish()
"""


def test_an_edited_or_withdrawn_lesson_changes_on_both_servers_at_once(deployment):
    """Each server keeps course outlines and lesson bodies in its own memory, under the token
    the servers share in Redis. A lesson renamed, then withdrawn, elsewhere (here by a
    separate process, as an editor on another server or a management command would) shows
    renamed, then is gone, on both servers' next pages."""
    a, b = deployment["servers"]
    env = deployment["env"]
    pk, course_url, lesson_url = manage(env, "shell", "-c", FIND_LESSON).split()[-3:]
    browser = Browser(forwarded_for="198.51.100.60")
    for port in (a, b):
        for _ in range(3):  # routed, then kept: from then on served from memory
            assert "Lesson 1.1" in browser.get(port, course_url).text
            assert "Lesson 1.1" in browser.get(port, lesson_url).text
    manage(env, "shell", "-c", RENAME_LESSON.format(pk=pk))
    for port in (a, b):
        course_page = browser.get(port, course_url).text
        assert "Recognising coercion, revised" in course_page
        assert "Lesson 1.1" not in course_page
        assert "Recognising coercion, revised" in browser.get(port, lesson_url).text
    manage(env, "shell", "-c", WITHDRAW_LESSON.format(pk=pk))
    for port in (a, b):
        assert "Recognising coercion" not in browser.get(port, course_url).text
        assert browser.get(port, lesson_url).status == 404
