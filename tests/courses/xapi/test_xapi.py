"""xAPI statements sent to a real learning record store: the Ralph LRS (file-system backend),
started on 127.0.0.1 by these tests from its own virtualenv (`make xapi-lrs`), and every
statement read back from it."""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from base64 import b64encode
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.certificates.services import issue_certificate
from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import XapiStatement
from courses.xapi import services as xapi
from quizzes import services as quizzes
from tests import factories

ROOT = Path(__file__).resolve().parents[3]
RALPH_PYTHON = Path(os.environ.get("RALPH_VENV", ROOT / ".venv-ralph")) / "bin" / "python"
USERNAME, PASSWORD = "lantern", "lrs-test-password"  # noqa: S105 (a throwaway test store)
BASE = "https://training.example.org"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not RALPH_PYTHON.exists(),
        reason="The Ralph LRS is not installed: run `make xapi-lrs` (its own virtualenv)",
    ),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Ralph 5.1's file-system LRS backend opens its file in "create" mode on every write, so a
# second POST fails (HTTP 500, "already exists"); the test store runs it in append mode.
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class Ralph:
    """A Ralph LRS process with a file-system store in a temporary directory."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(workdir / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
        }
        subprocess.run(
            [str(RALPH_PYTHON), "-m", "ralph", "auth", "-u", USERNAME, "-p", PASSWORD,
             "-s", "all", "-M", "mailto:lrs@example.org", "-w"],
            env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [str(RALPH_PYTHON), "-c", SERVE, str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Ralph did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def statements(self, **query):
        """Every statement in the store, in the order it stored them, read back through the
        xAPI."""
        request = urllib.request.Request(  # noqa: S310 (the test store on 127.0.0.1)
            f"{self.url}statements?{urlencode({'limit': 500, **query})}",
            headers={
                "X-Experience-API-Version": "1.0.3",
                "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            found = json.loads(response.read())["statements"]
        return sorted(found, key=lambda s: s["stored"])  # in the order the store got them


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    """One LRS process for the module (starting one takes seconds); each test empties it."""
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs(ralph, settings):
    shutil.rmtree(ralph.workdir / "data", ignore_errors=True)
    (ralph.workdir / "data").mkdir()
    if ralph.process is None:
        ralph.start()
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.LANTERN_XAPI_ENDPOINT = ralph.url
    settings.LANTERN_XAPI_USERNAME = USERNAME
    settings.LANTERN_XAPI_PASSWORD = PASSWORD
    return ralph


@pytest.fixture
def quiz_course(course):
    course_page, lessons = course
    quiz = factories.make_quiz(pass_mark=60)
    lessons[-1].quiz = quiz
    lessons[-1].save_revision().publish()
    return course_page, lessons, quiz


def take_quiz(learner, quiz, right=True):
    attempt = quizzes.start_attempt(learner, quiz)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"] == right][:1]
        for q in attempt.snapshot
    }
    return quizzes.submit_attempt(attempt, answers).attempt


def verbs(statements):
    return [s["verb"]["display"]["en-US"] for s in statements]


def test_a_learners_journey_arrives_in_order_and_without_their_email(
    lrs, learner, quiz_course, django_capture_on_commit_callbacks
):
    course, lessons, quiz = quiz_course
    learner.name_on_certificate = "Lena Novak"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment, _ = progress.enrol(learner, course)
    for lesson in lessons[:-1]:
        with django_capture_on_commit_callbacks(execute=True):
            progress.record_lesson_opened(enrolment, lesson)
            progress.complete_lesson(enrolment, lesson)
    with django_capture_on_commit_callbacks(execute=True):
        take_quiz(learner, quiz, right=False)
    with django_capture_on_commit_callbacks(execute=True):
        take_quiz(learner, quiz, right=True)  # passing completes the last lesson and course

    xapi.deliver_all()
    stored = lrs.statements()
    queued = XapiStatement.objects.order_by("pk").values_list("statement_id", flat=True)
    stored_at = {s["id"]: s["stored"] for s in stored}
    times = [stored_at[str(i)] for i in queued]
    assert times == sorted(times)  # the store received them in the order they were queued
    assert sorted(verbs(stored)) == sorted(
        [
            "registered",
            *["experienced", "completed"] * 3,
            *["attempted", "failed", "attempted", "passed"],
            "completed",  # the lesson holding the quiz
            "completed",  # the course
            "earned",
        ]
    )
    by_id = {s["id"]: s for s in stored}
    sequence = verbs([by_id[str(i)] for i in queued])
    assert sequence[0] == "registered"
    assert [v for v in sequence if v in {"attempted", "failed", "passed"}] == [
        "attempted",
        "failed",
        "attempted",
        "passed",
    ]
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()
    text = json.dumps(stored)
    assert "learner@example.org" not in text and "Lena" not in text
    actors = {json.dumps(s["actor"], sort_keys=True) for s in stored}
    assert len(actors) == 1
    account = stored[0]["actor"]["account"]
    assert account["homePage"] == f"{BASE}/"
    assert all(s["object"]["id"].startswith(f"{BASE}/xapi/activities/") for s in stored)
    failed, passed = (s for s in stored if verbs([s])[0] in {"failed", "passed"})
    assert failed["result"]["success"] is False and passed["result"]["success"] is True
    attempt = quiz.attempts.get(passed=True)
    assert passed["result"]["score"] == {
        "raw": attempt.score,
        "min": 0,
        "max": attempt.max_score,
        "scaled": round(attempt.score / attempt.max_score, 4),
    }
    assert failed["result"]["score"]["scaled"] < passed["result"]["score"]["scaled"]
    registration = stored[0]["context"]["registration"]
    assert all(
        s["context"]["registration"] == registration for s in stored if verbs([s])[0] != "earned"
    )


def test_off_when_no_store_is_configured(settings, learner, course):
    settings.LANTERN_XAPI_ENDPOINT = ""
    enrolment, _ = progress.enrol(learner, course[0])
    progress.complete_lesson(enrolment, course[1][0])
    assert not XapiStatement.objects.exists()


def test_store_down_then_up_every_statement_once_and_in_order(lrs, learner, course):
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    xapi.enrolled(enrolment)
    lrs.stop()
    progress.complete_lesson(enrolment, lessons[0])
    xapi.lesson_completed(enrolment, lessons[0])
    assert xapi.deliver_all() == 0
    waiting = list(XapiStatement.objects.order_by("pk"))
    assert [row.attempts for row in waiting] == [1, 1]
    assert all(row.next_attempt_at > timezone.now() for row in waiting)
    assert "URLError" in waiting[0].last_error

    lrs.start()
    xapi.lesson_completed(enrolment, lessons[1])
    assert xapi.deliver_all() == 0  # still backing off: nothing overtakes the failed batch
    XapiStatement.objects.update(next_attempt_at=timezone.now())
    assert xapi.deliver_all() == 3
    assert xapi.deliver_all() == 0
    assert verbs(lrs.statements()) == ["registered", "completed", "completed"]


def test_a_wrong_password_is_an_error_not_a_send(lrs, learner, course, settings):
    settings.LANTERN_XAPI_PASSWORD = "not-the-password"  # noqa: S105
    enrolment, _ = progress.enrol(learner, course[0])
    xapi.enrolled(enrolment)
    assert xapi.deliver_all() == 0
    row = XapiStatement.objects.get()
    assert row.sent_at is None and row.last_error == "HTTP 401"


def test_replaying_a_period_keeps_one_copy_in_the_store(lrs, learner, course):
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    xapi.enrolled(enrolment)
    progress.complete_lesson(enrolment, lessons[0])
    xapi.lesson_completed(enrolment, lessons[0])
    xapi.lesson_completed(enrolment, lessons[0])  # the same event twice: one statement
    assert xapi.deliver_all() == 2
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    call_command("xapi_replay", "--since", since, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()
    assert verbs(lrs.statements()) == ["registered", "completed"]


def test_an_organisations_store_gets_its_members_progress_only(
    tmp_path, settings, learner, make_user, course, manager
):
    """The organisation's own LRS: members of its cohorts, from when they joined, no reading
    or scores; learners elsewhere are not sent there."""
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.LANTERN_XAPI_ENDPOINT = ""  # only the organisation's store
    org_lrs = Ralph(tmp_path)
    org_lrs.start()
    try:
        course_page, lessons = course
        organisation = factories.make_organisation(managers=[manager])
        organisation.xapi_endpoint = org_lrs.url
        organisation.xapi_username, organisation.xapi_password = USERNAME, PASSWORD
        organisation.save()
        cohort = factories.make_cohort(course_page, organisation, name="Moderators")
        outsider = make_user("outsider@example.org")
        before, _ = progress.enrol(learner, course_page)
        progress.complete_lesson(before, lessons[0])
        xapi.lesson_completed(before, lessons[0])  # before joining: not the organisation's
        cohorts.join(cohort, learner)
        progress.record_lesson_opened(before, lessons[1])
        progress.complete_lesson(before, lessons[1])
        xapi.lesson_completed(before, lessons[1])
        other, _ = progress.enrol(outsider, course_page)
        xapi.lesson_completed(other, lessons[0])
        xapi.deliver_all()
        stored = org_lrs.statements()
        assert verbs(stored) == ["completed"]
        assert stored[0]["object"]["definition"]["name"]["en-US"] == lessons[1].title
        assert "account" in stored[0]["actor"]

        organisation.xapi_send_email = True
        organisation.save()
        xapi.certificate_issued(
            issue_certificate(before)[0] if before.completed_at else _certificate(before)
        )
        xapi.deliver_all()
        assert org_lrs.statements()[-1]["actor"] == {
            "objectType": "Agent",
            "mbox": "mailto:learner@example.org",
        }
    finally:
        org_lrs.stop()


def _certificate(enrolment):
    from courses.models import Certificate

    return Certificate.objects.create(
        enrolment=enrolment,
        user=enrolment.user,
        course=enrolment.course,
        course_title=enrolment.course.title,
        name_on_certificate="Lena Novak",
    )
