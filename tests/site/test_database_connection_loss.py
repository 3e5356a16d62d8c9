"""The database connection is lost: a request in flight writes nothing by halves, and the app
server recovers by itself.

A gunicorn server (started here, on 127.0.0.1) reaches PostgreSQL through a TCP proxy that the
test controls: it can cut every open connection, or cut the connection the moment a COMMIT is
sent, so the transaction of a request in flight never commits. PostgreSQL only: SQLite has no
connection to lose."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from courses.learning import services
from courses.models import Enrolment, LessonProgress
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.django_db(transaction=True)]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CuttingProxy:
    """Forwards TCP to the database; `cut_all()` drops every open connection, and while
    `cut_on_commit` is set the connection that sends COMMIT is dropped instead."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.cut_on_commit = False
        self.commits_cut = 0
        self.pairs = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source, target, from_client):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_client and self.cut_on_commit and re.search(rb"\bCOMMIT\b", data):
                    self.commits_cut += 1
                    break
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut_all(self):
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self.stopped = True
        self.listener.close()
        self.cut_all()


class Browser:
    """A cookie-keeping HTTP client for one server (redirects followed, cookies kept)."""

    def __init__(self, port, session_key):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {"sessionid": session_key}

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        for _ in range(5):
            request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
            try:
                with NO_REDIRECTS.open(request, timeout=30) as response:
                    self._keep(response.headers)
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                self._keep(error.headers)
                if error.code in {301, 302, 303} and error.headers.get("Location"):
                    path, body = error.headers["Location"], None
                    continue
                return error.code, error.read().decode(errors="replace")
        raise AssertionError("too many redirects")

    def _keep(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirects)


@pytest.fixture
def server(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass of CI (SQLite has no link).")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    settings = connection.settings_dict
    proxy = CuttingProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    user = settings["USER"] or "postgres"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lantern.settings.dev",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{settings['NAME']}",
        "DATABASE_CONN_MAX_AGE": "600",  # persistent connections, checked before each request
        # The session made here must be valid there: the same key signs it.
        "SECRET_KEY": django_settings.SECRET_KEY,
        "PYTHONPATH": f"{ROOT / 'site'}{os.pathsep}{ROOT}",
    }
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "lantern.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port, proxy
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        proxy.stop()


@pytest.fixture
def learner_on_course(make_user):
    home = factories.make_home_page()
    course, lessons = factories.make_course(factories.make_course_index(home))
    learner = make_user("learner@example.org", first_name="Lena", last_name="Novak")
    enrolment, _ = services.enrol(learner, course)
    client = Client()
    client.force_login(learner)
    return enrolment, lessons, client.cookies["sessionid"].value


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_server_reconnects_after_every_database_connection_is_cut(server, learner_on_course):
    port, proxy = server
    enrolment, lessons, session_key = learner_on_course
    browser = Browser(port, session_key)
    assert browser.request(lessons[0].url)[0] == 200
    proxy.cut_all()
    status, html = browser.request(lessons[1].url)
    assert status == 200
    assert lessons[1].title in html


def test_a_completion_cut_at_commit_leaves_nothing_half_written_and_a_retry_counts_once(
    server, learner_on_course
):
    port, proxy = server
    enrolment, lessons, session_key = learner_on_course
    browser = Browser(port, session_key)
    status, html = browser.request(lessons[0].url)
    assert status == 200
    complete = f"/learn/lessons/{lessons[0].pk}/complete/"

    proxy.cut_on_commit = True
    status, _ = browser.request(complete, {"csrfmiddlewaretoken": csrf_token(html)})
    proxy.cut_on_commit = False
    assert proxy.commits_cut >= 1
    assert status == 500
    # The lesson's completion and the enrolment's stored progress were one transaction:
    # neither was written.
    assert not LessonProgress.objects.filter(
        enrolment=enrolment, lesson=lessons[0], completed_at__isnull=False
    ).exists()
    enrolment.refresh_from_db()
    assert enrolment.lessons_completed == 0

    status, html = browser.request(lessons[0].url)
    assert status == 200
    status, _ = browser.request(complete, {"csrfmiddlewaretoken": csrf_token(html)})
    assert status == 200  # redirected to the next lesson, which was served
    assert (
        LessonProgress.objects.filter(
            enrolment=enrolment, lesson=lessons[0], completed_at__isnull=False
        ).count()
        == 1
    )
    enrolment.refresh_from_db()
    assert enrolment.lessons_completed == 1
    assert enrolment.lessons_total == len(lessons)
    assert Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).exists()
