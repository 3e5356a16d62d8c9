"""Benchmark: Lantern's learner pages over HTTP, against a bare Wagtail page on the same server.

For each database (SQLite always; PostgreSQL too when DATABASE_URL is set), in a process of
its own:

1. makes a fresh database (a temporary SQLite file, or `bench_http` on the PostgreSQL server
   DATABASE_URL names, dropped and recreated) and migrates it with bench/barepage/settings.py:
   production settings (DEBUG off, persistent connections, Redis cache) plus a bare page app;
2. seeds, through the real page tree and services: courses of 10 and 60 lessons, a learner
   half-way through the big one and enrolled in the small one, a 20-question quiz with an
   attempt in progress, a cohort of 10,000 members with its manager, and a bare Wagtail page
   (title and 1 KB of rich text, Wagtail's project-template base.html);
3. serves it with gunicorn (2 sync workers) on 127.0.0.1, signed in by session cookie;
4. loads every page in short interleaved slices (each round visits the pages in a new random
   order, at the same concurrency), so drift of the machine falls on all of them alike;
5. prints p50/p95/p99 in ms, requests per second, the p50 ratio to the bare page, and the
   queries per request (counted in-process with Django's test client on the same data).

Run from the repository root: `.venv/bin/python bench/http_pages.py [--rounds 12]`.
Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/14; the database is flushed).
See docs/performance.md.
"""

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import _setup

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
PASSWORD = "bench-password-not-secret"  # noqa: S105
MEMBERS = 10_000


def parse_args(argv):
    parser = _setup.argument_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=12, help="interleaved rounds (default 12)")
    parser.add_argument(
        "--slice", type=int, default=40, help="requests per page per round (default 40)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="parallel clients (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--members", type=int, default=MEMBERS, help="cohort size (default 10000)")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="seed, then keep serving for a load test (bench/locustfile.py) until Ctrl+C",
    )
    parser.add_argument(
        "--learners", type=int, default=100, help="with --serve: load-test accounts (default 100)"
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    _setup.require_at_least(parser, args, 1, "rounds", "slice", "concurrency", "workers")
    return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, workdir):
    """The environment for production settings on the loopback interface."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="barepage.settings",
        # bench/ last: its quizzes.py and cohorts.py would shadow the apps.
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "site"), str(BENCH)]),
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="600",
        CACHE_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        SECRET_KEY="bench-only-insecure-key",  # noqa: S106 (a throwaway benchmark server)
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        REQUIRE_TWO_FACTOR="0",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        BENCH_STATIC_ROOT=str(workdir / "static"),
    )
    return env


# --- Seeding (runs inside the per-database process, after django.setup()) -------------------


def seed(members, load_learners=0):
    """Build the pages and people; returns {name: (path, cookie name)} and the cookies."""
    from datetime import timedelta

    from barepage.models import BarePage
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from courses.learning import services as learning
    from courses.models import LessonPage
    from quizzes import services as quizzes
    from tests import factories

    cache.clear()
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    small, _ = factories.make_course(
        index, slug="bench-small", title="Bench course, 10 lessons", modules=2, lessons_per_module=5
    )
    big, lessons = factories.make_course(
        index, slug="bench-big", title="Bench course, 60 lessons", modules=6, lessons_per_module=10
    )
    paragraph = (
        "<p>Exploitation is often hidden in plain sight: recognising the signs, listening without "
        "judgement and knowing where to refer someone are skills anyone can learn. </p>"
    )
    bare = BarePage(title="A bare Wagtail page", slug="bare", body=paragraph * 6)
    factories.add_live_page(home, bare)

    questions = [
        (
            "single",
            f"Question {n}: which response puts the person's safety first?",
            [("Listen, believe and refer", True), ("Confront the suspect", False)],
        )
        for n in range(1, 21)
    ]
    quiz = factories.make_quiz(title="Bench quiz, 20 questions", questions=questions)

    User = get_user_model()
    password = make_password(PASSWORD)
    learner = User.objects.create(
        email="learner@example.org", first_name="Lee", last_name="Learner", password=password
    )
    manager = User.objects.create(
        email="manager@example.org", first_name="Maya", last_name="Manager", password=password
    )
    for user in (learner, manager):
        factories.verify_email(user)

    enrolment, _ = learning.enrol(learner, big)
    learning.enrol(learner, small)
    for lesson in lessons[:30]:
        learning.complete_lesson(enrolment, lesson)
    current = LessonPage.objects.get(pk=lessons[30].pk)
    learning.record_lesson_opened(enrolment, current)
    attempt = quizzes.start_attempt(learner, quiz)

    organisation = factories.make_organisation(name="Bench Constabulary", managers=[manager])
    cohort = factories.make_cohort(big, organisation=organisation, name="All staff")
    now = timezone.now()
    people = _setup.bulk_cohort_members(
        cohort,
        members,
        password=password,
        joined_at=now - timedelta(days=10),
        email="member{n:05d}@example.org",
        last_name="Member{n:05d}",
        first_name=lambda n: "Sam",
    )
    _setup.bulk_enrolments(
        big,
        cohort,
        people,
        lambda n, _person: {
            "lessons_completed": n % 61,
            "lessons_total": 60,
            "progress_percent": 100 * (n % 61) // 60,
            "completed_at": now if n % 61 == 60 else None,
            "last_activity_at": now - timedelta(hours=n % 500),
        },
    )
    for n in range(1, load_learners + 1):
        person = User.objects.create(
            email=f"load{n:03d}@example.org",
            first_name="Load",
            last_name=f"Learner {n}",
            password=password,
        )
        factories.verify_email(person)
        learning.enrol(person, big)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from django.urls import reverse

    print(
        f"course: {big.url}  quiz: {reverse('quizzes:detail', args=[quiz.pk])}  "
        f"load-test accounts: {load_learners}",
        flush=True,
    )

    pages = {
        "bare Wagtail page": (bare.url, "learner"),
        "lesson (60-lesson course)": (current.url, "learner"),
        "course page (60 lessons)": (big.url, "learner"),
        "course page (10 lessons)": (small.url, "learner"),
        "My learning": (reverse("courses:dashboard"), "learner"),
        "quiz attempt (20 questions)": (reverse("quizzes:attempt", args=[attempt.pk]), "learner"),
        f"cohort page ({members:,} members)": (
            reverse("courses:cohort", args=[cohort.public_id]),
            "manager",
        ),
    }
    cookies = {}
    for name, user in (("learner", learner), ("manager", manager)):
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies["sessionid"].value
    return pages, cookies


def count_queries(pages, cookies):
    """Queries per request for each page, through Django's test client on the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (path, who) in pages.items():
        client = Client()
        client.cookies["sessionid"] = cookies[who]
        # Warm: the first request of a session may write, and the first course request of a
        # process only learns where courses live; the next fills the route and body caches
        # (the gunicorn workers are warm the same way before timing).
        client.get(path)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        writes = sum(
            1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
        )
        writes += sum(
            1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")
        )
        counts[name] = (len(queries.captured_queries), writes)
    return counts


# --- Load --------------------------------------------------------------------------------


def fetch(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        response.read()
        status = response.status
    return time.perf_counter() - start, status


def run_slice(url, cookie, requests, concurrency):
    """`requests` GETs of one URL by `concurrency` threads; returns (latencies, errors, seconds)."""
    latencies, errors = [], []
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                seconds, status = fetch(url, cookie)
            except Exception as error:  # noqa: BLE001 (counted and reported)
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                (latencies if status == 200 else errors).append(seconds)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - start


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def start_server(env, args, port):
    """gunicorn serving the site on 127.0.0.1:port."""
    return subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "lantern.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def serve_and_load(env, pages, cookies, args):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, args, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + pages["bare Wagtail page"][0], cookies["learner"])
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        for name, (path, who) in pages.items():
            for _ in range(5):  # warm both workers' caches and connections
                seconds, status = fetch(base + path, cookies[who])
                if status != 200:
                    raise SystemExit(f"{name}: {path} answered {status}")

        rng = random.Random(2026)
        results = {name: {"latencies": [], "errors": [], "seconds": 0.0} for name in pages}
        names = list(pages)
        for _ in range(args.rounds):
            rng.shuffle(names)
            for name in names:
                path, who = pages[name]
                latencies, errors, seconds = run_slice(
                    base + path, cookies[who], args.slice, args.concurrency
                )
                results[name]["latencies"] += latencies
                results[name]["errors"] += errors
                results[name]["seconds"] += seconds
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def one_database(kind, args):
    """Seed, serve and load one database; prints and returns its rows."""
    workdir = Path(tempfile.mkdtemp(prefix="lantern-bench-http-"))
    try:
        if kind == "sqlite":
            database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            database_url = recreate_postgres_database(os.environ["DATABASE_URL"], "bench_http")
        env = environment(database_url, workdir)
        os.environ.update(env)
        sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        pages, cookies = seed(args.members, args.learners if args.serve else 0)
        print(f"{kind}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
        connections.close_all()
        if args.serve:
            serve_forever(env, args)
            return []
        results = serve_and_load(env, pages, cookies, args)
        counts = count_queries(pages, cookies)
        connections.close_all()
        bare_p50 = statistics.median(results["bare Wagtail page"]["latencies"])
        rows = []
        for name in pages:
            latencies = results[name]["latencies"]
            p50 = statistics.median(latencies)
            rows.append(
                {
                    "database": kind,
                    "page": name,
                    "p50_ms": round(p50 * 1000, 1),
                    "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
                    "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                    "req_per_s": round(len(latencies) / results[name]["seconds"], 1),
                    "ratio": round(p50 / bare_p50, 2),
                    "queries": counts[name][0],
                    "writes": counts[name][1],
                    "errors": len(results[name]["errors"]),
                    "requests": len(latencies),
                }
            )
        return rows
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def serve_forever(env, args):
    """Serve until interrupted, for bench/locustfile.py."""
    port = free_port()
    server = start_server(env, args, port)
    print(
        f"Serving on http://127.0.0.1:{port} ({args.workers} workers). In another shell:\n"
        f"  .venv/bin/locust -f bench/locustfile.py --headless -u {args.learners} -r 10 -t 2m "
        f"--host http://127.0.0.1:{port}\nStop with Ctrl+C.",
        flush=True,
    )
    try:
        server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait(timeout=30)


def recreate_postgres_database(url, name):
    """Drop and create `name` on the server `url` names; returns the new database's URL."""
    import psycopg

    base, _, _database = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def print_table(rows):
    print()
    print(
        f"{'database':<11}{'page':<32}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'req/s':>8}{'× bare':>8}{'queries':>9}{'writes':>7}{'errors':>7}"
    )
    for row in rows:
        print(
            f"{row['database']:<11}{row['page']:<32}{row['p50_ms']:>8}{row['p95_ms']:>8}"
            f"{row['p99_ms']:>8}{row['req_per_s']:>8}{row['ratio']:>8}{row['queries']:>9}"
            f"{row['writes']:>7}{row['errors']:>7}"
        )


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.serve:
        kind = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        one_database(kind, args)
        return
    if args.only:
        rows = one_database(args.only, args)
        print("ROWS " + json.dumps(rows), flush=True)
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    print(
        f"HTTP benchmark: gunicorn {args.workers} sync workers, concurrency {args.concurrency}, "
        f"{args.rounds} rounds × {args.slice} requests per page, {os.cpu_count()} CPUs"
    )
    rows = []
    for kind in kinds:
        output = subprocess.run(  # noqa: S603
            [PYTHON, __file__, "--only", kind, *(argv if argv is not None else sys.argv[1:])],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        for line in output.splitlines():
            if line.startswith("ROWS "):
                rows += json.loads(line[5:])
            else:
                print(line)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
