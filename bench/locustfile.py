"""Load test: a mixed learner workload against a running Lantern site.

Each simulated learner signs in with its own account, then, with pauses of 1–3 s (a stress
test; LANTERN_THINK_SECONDS="5,15" gives a learner who reads for a while), opens My
learning and the course, reads lessons in order, completes them ("Mark complete and
continue"), and now and then takes a quiz (start, answer, submit). Run headless against the
servers `bench/http_pages.py --serve` starts (gunicorn, production settings):

    .venv/bin/python bench/http_pages.py --serve --learners 100   # prints the host, keeps serving
    .venv/bin/locust -f bench/locustfile.py --headless -u 100 -r 10 -t 2m --host http://127.0.0.1:PORT

Point it at a staging site with the same command and these variables (the accounts must exist
and be enrolled in the course; use a site whose data you can throw away):
  LANTERN_LEARNER_EMAIL  a pattern with {n}, default "load{n:03d}@example.org"
  LANTERN_LEARNERS       how many accounts there are (default 100), used round robin
  LANTERN_PASSWORD       their password (default the benchmark's)
  LANTERN_COURSE_PATH    the course page (default /courses/bench-big/)
  LANTERN_QUIZ_PATH      the quiz page (default /quizzes/1/)
  LANTERN_THINK_SECONDS  the pause between a learner's actions, "min,max" (default "1,3")
See docs/performance.md.
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, task

EMAIL = os.environ.get("LANTERN_LEARNER_EMAIL", "load{n:03d}@example.org")
LEARNERS = int(os.environ.get("LANTERN_LEARNERS", "100"))
PASSWORD = os.environ.get("LANTERN_PASSWORD", "bench-password-not-secret")
COURSE_PATH = os.environ.get("LANTERN_COURSE_PATH", "/courses/bench-big/")
QUIZ_PATH = os.environ.get("LANTERN_QUIZ_PATH", "/quizzes/1/")
THINK_SECONDS = [float(s) for s in os.environ.get("LANTERN_THINK_SECONDS", "1,3").split(",")]

_numbers = itertools.count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]*/complete/?)"')
CHOICE = re.compile(r'<input type="(?:radio|checkbox)" name="(q\d+)" value="(\d+)"')


def csrf_token(html):
    match = CSRF.search(html)
    return match.group(1) if match else ""


class Learner(HttpUser):
    """One signed-in learner working through the course."""

    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        number = (next(_numbers) - 1) % LEARNERS + 1
        email = EMAIL.format(n=number)
        page = self.client.get("/account/login/", name="login form")
        with self.client.post(
            "/account/login/",
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
            headers={"Referer": self.host + "/account/login/"},
            name="login",
            catch_response=True,
        ) as response:
            if "/account/login/" in response.url:
                response.failure(f"could not sign in as {email}")
        course = self.client.get(COURSE_PATH, name="course page")
        prefix = re.escape(COURSE_PATH)
        self.lessons = list(
            dict.fromkeys(re.findall(rf'href="({prefix}[^"#?]+/[^"#?]+/)"', course.text))
        )
        self.position = 0

    @task(2)
    def my_learning(self):
        self.client.get("/learning/", name="My learning")

    @task(2)
    def course_page(self):
        self.client.get(COURSE_PATH, name="course page")

    @task(6)
    def read_and_complete(self):
        if not self.lessons:
            return
        path = self.lessons[self.position % len(self.lessons)]
        self.position += 1
        response = self.client.get(path, name="lesson")
        action = FORM_ACTION.search(response.text)
        if action and random.random() < 0.5:  # noqa: S311 (workload mix, not security)
            self.client.post(
                action.group(1),
                {"csrfmiddlewaretoken": csrf_token(response.text)},
                headers={"Referer": self.host + path},
                name="complete lesson",
            )

    @task(1)
    def take_quiz(self):
        detail = self.client.get(QUIZ_PATH, name="quiz page")
        start = self.client.post(
            QUIZ_PATH.rstrip("/") + "/start/",
            {"csrfmiddlewaretoken": csrf_token(detail.text)},
            headers={"Referer": self.host + QUIZ_PATH},
            name="start quiz",
        )
        choices = {}
        for name, value in CHOICE.findall(start.text):
            choices.setdefault(name, value)
        if not choices:
            return
        self.client.post(
            start.url,
            {"csrfmiddlewaretoken": csrf_token(start.text), "action": "submit", **choices},
            headers={"Referer": start.url},
            name="submit quiz",
        )
