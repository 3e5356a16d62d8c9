"""Screenshots for the README: `make screenshots` (or `.venv/bin/python docs/img/capture.py`).

Builds the demo site in a temporary SQLite database, serves it with `runserver`, and saves
desktop (1280×800) and phone (375×812) PNGs of the home page, a course, a lesson and a quiz
result in docs/img/. Needs Playwright and Chromium (/usr/bin/chromium, or LANTERN_CHROMIUM).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("LANTERN_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {"desktop": (1280, 800), "phone": (375, 812)}
PASSWORD = "lantern-demo"  # noqa: S105 (the published demo password)

# The demo learner's police course, the lesson they are on, and their first (failed) quiz
# attempt, whose result shows the answers since they passed on the second.
FIND_URLS = """
import json
from django.urls import reverse
from courses.learning import services as progress
from courses.models import CoursePage
from quizzes.models import Attempt
course = CoursePage.objects.get(slug="police-course")
lessons = progress.course_lessons(course)
attempt = Attempt.objects.filter(user__email="learner@example.org", passed=False).first()
print(json.dumps({
    "course": course.url, "lesson": lessons[4].url,
    "result": reverse("quizzes:result", args=[attempt.pk]),
}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    result = subprocess.run(command, env=env, check=True, capture_output=capture, text=True)  # noqa: S603
    return result.stdout


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def capture(base, urls):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, (width, height) in VIEWPORTS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, base_url=base
            )
            page = context.new_page()
            page.goto("/")
            page.screenshot(path=OUT / f"home-{name}.png")
            page.goto("/account/login/")
            page.get_by_label("Email address").fill("learner@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            for key in ("course", "lesson", "result"):
                page.goto(urls[key])
                page.screenshot(path=OUT / f"{key}-{name}.png")
            context.close()
        browser.close()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_SETTINGS_MODULE": "lantern.settings.dev",
        }
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo", "-v0")
        output = manage(env, "shell", "-c", FIND_URLS, capture=True)
        urls = json.loads(output.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/")
            capture(base, urls)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.name}: {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
