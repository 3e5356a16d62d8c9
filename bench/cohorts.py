"""Benchmark: the manager area on a cohort of 10,000 members.

Seeds a throwaway database with one course of 40 lessons (4 modules × 10) built through the
Wagtail page tree, two quizzes on its lessons, an organisation and a cohort of 10,000 members
(bulk-created) at mixed progress: a tenth not started, a fifth completed with a certificate,
the rest part-way; a tenth of those part-way have a personal due date that has passed
(overdue); quiz attempts for most members; 200 pending invitations. Then times, with Django's
test client and the organisation's manager logged in:

- GET the cohort page (first page of 50, default sort by name), and sorted by progress with a
  status filter, and with a search;
- GET /manage/ (the organisation's cohorts with their figures);
- GET the full CSV export (10,200 rows), reading the whole stream: time, queries, and peak
  Python memory (tracemalloc, in a separate untimed run) compared with the size of the file.

Run from the repository root: `.venv/bin/python bench/cohorts.py [--iterations 20]`.
SQLite by default; PostgreSQL with DATABASE_URL (a `test_` prefixed database is made and
dropped). See docs/performance.md.
"""

import random
import sys
import time
import tracemalloc
from datetime import timedelta

import _setup

MODULES = 4
LESSONS_PER_MODULE = 10
LESSONS = MODULES * LESSONS_PER_MODULE
MEMBERS = 10_000
INVITATIONS = 200
PASSWORD = "bench-password-not-secret"  # noqa: S105
SEED = 2026
PAGE_TARGET_MS = 300
EXPORT_TARGET_S = 10


def parse_args(argv):
    parser = _setup.argument_parser(__doc__)
    parser.add_argument(
        "--iterations", type=int, default=20, help="timed requests of each kind (default 20)"
    )
    parser.add_argument("--exports", type=int, default=3, help="timed full CSV exports (default 3)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed requests of each kind first (default 2)"
    )
    args = parser.parse_args(argv)
    _setup.require_at_least(parser, args, 1, "iterations", "exports")
    _setup.require_at_least(parser, args, 0, "warmup")
    return args


def seed():
    """Build the course, the cohort and its members. Returns (cohort, manager)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from courses.models import (
        Certificate,
        CohortInvitation,
        LessonPage,
    )
    from quizzes.models import Attempt
    from tests import factories

    with _setup.stopwatch("  page tree (home, course index, 40-lesson course), 2 quizzes"):
        home = factories.make_home_page()
        index = factories.make_course_index(home)
        course, lessons = factories.make_course(
            index,
            slug="bench-course",
            title="Bench course",
            modules=MODULES,
            lessons_per_module=LESSONS_PER_MODULE,
        )
        quizzes = [factories.make_quiz(title=f"Bench quiz {n}") for n in range(2)]
        for lesson, quiz in zip((lessons[9], lessons[-1]), quizzes, strict=True):
            LessonPage.objects.filter(pk=lesson.pk).update(quiz=quiz)

    rng = random.Random(SEED)
    now = timezone.now()
    User = get_user_model()
    password = make_password(PASSWORD)
    manager = User.objects.create(
        email="manager@example.org", first_name="Maya", last_name="Manager", password=password
    )
    factories.verify_email(manager)  # a manager role takes effect once the address is verified
    organisation = factories.make_organisation(name="Bench Constabulary", managers=[manager])
    cohort = factories.make_cohort(
        course,
        organisation=organisation,
        name="All staff 2026",
        due_on=timezone.localdate() + timedelta(days=30),
    )

    with _setup.stopwatch(f"  {MEMBERS:,} learners and memberships"):
        learners = _setup.bulk_cohort_members(
            cohort,
            MEMBERS,
            password=password,
            joined_at=now - timedelta(days=40),
            email="learner{n:05d}@example.org",
            last_name="Learner{n:05d}",
            first_name=lambda n: rng.choice(["Alex", "Sam", "Jo", "Priya", "Tomasz", "Aisha"]),
        )
        CohortInvitation.objects.bulk_create(
            CohortInvitation(cohort=cohort, email=f"invited{n:04d}@example.org")
            for n in range(INVITATIONS)
        )

    counts = []
    for _ in learners:
        roll = rng.random()
        counts.append(0 if roll < 0.1 else LESSONS if roll > 0.8 else rng.randint(1, LESSONS - 1))

    with _setup.stopwatch(f"  {MEMBERS:,} enrolments with stored progress"):

        def progress_fields(n, _learner):
            k = counts[n]
            return {
                # A tenth of those part-way have an earlier personal due date, now past.
                "due_at": (
                    now - timedelta(days=3)
                    if 0 < k < LESSONS and rng.random() < 0.1
                    else cohort.due_at
                ),
                "lessons_completed": k,
                "lessons_total": LESSONS,
                "progress_percent": 100 * k // LESSONS,
                "next_lesson_id": lessons[k].id if k < LESSONS else None,
                "completed_at": (
                    now - timedelta(days=rng.randint(0, 30)) if k == LESSONS else None
                ),
                "last_activity_at": (
                    now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)) if k else None
                ),
            }

        enrolments = _setup.bulk_enrolments(course, cohort, learners, progress_fields)

    with _setup.stopwatch("  certificates and quiz attempts"):
        names = {learner.pk: f"{learner.first_name} {learner.last_name}" for learner in learners}
        Certificate.objects.bulk_create(
            (
                Certificate(
                    enrolment=enrolment,
                    user_id=enrolment.user_id,
                    course=course,
                    course_title=course.title,
                    name_on_certificate=names[enrolment.user_id],
                    issued_at=enrolment.completed_at,
                    expires_at=enrolment.completed_at + timedelta(days=rng.choice([30, 365])),
                )
                for enrolment in enrolments
                if enrolment.completed_at
            ),
            batch_size=2_000,
        )

        def attempts():
            for learner, k in zip(learners, counts, strict=True):
                for position, quiz in ((10, quizzes[0]), (LESSONS, quizzes[1])):
                    if k >= position - 1:
                        yield Attempt(
                            user=learner,
                            quiz=quiz,
                            number=1,
                            status="submitted",
                            snapshot=[],
                            passed=rng.random() < 0.85,
                            pass_mark=80,
                            submitted_at=now,
                            score=1,
                            max_score=1,
                            percent=100,
                        )

        Attempt.objects.bulk_create(attempts(), batch_size=2_000)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cohort, manager


def time_export(client, url, exports):
    """Read the whole CSV stream `exports` times: (seconds list, queries, bytes, rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, queries, size, rows = [], 0, 0, 0
    for _ in range(exports):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            size = rows = 0
            for chunk in response.streaming_content:
                size += len(chunk)
                rows += chunk.count(b"\n")
            response.close()
            seconds.append(time.perf_counter() - start)
        queries = max(queries, len(captured))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
    return seconds, queries, size, rows


def export_peak_memory(client, url):
    """Peak Python allocations while streaming the export (tracemalloc), bytes."""
    tracemalloc.start()
    try:
        response = client.get(url)
        for _chunk in response.streaming_content:
            pass
        response.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(iterations, exports, warmup):
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    with _setup.stopwatch("Seeding"):
        cohort, manager = seed()

    client = Client()
    client.force_login(manager)
    page = reverse("courses:cohort", args=[cohort.public_id])
    export = reverse("courses:cohort_export", args=[cohort.public_id])
    requests = [
        ("GET cohort page (first 50 of 10,000)", page),
        ("GET cohort page, in progress, by -progress", page + "?status=in_progress&sort=-progress"),
        ("GET cohort page, search 'priya', page 2", page + "?q=priya&page=2"),
        ("GET /manage/ (1 cohort of 10,000)", reverse("courses:manage")),
    ]
    results = []
    for name, url in requests:
        results.append(
            _setup.measure(
                name,
                lambda url=url: client.get(url),
                iterations,
                warmup=warmup,
                check=_setup.expect(200),
            )
        )
    time_export(client, export, 1)  # warm-up
    seconds, queries, size, rows = time_export(client, export, exports)
    export_result = _setup.Result("GET CSV export (all rows, streamed)", seconds, [queries])
    results.append(export_result)
    _setup.print_report(results, iterations)
    print(f"CSV export: {exports} runs; {rows:,} lines, {size / 1e6:.1f} MB.")

    # The same export filtered to 10 and 1,000 members: flat memory means the peak hardly
    # grows with the number of rows (it is bounded by the chunk size, not the cohort).
    peaks = [
        (label, export_peak_memory(client, export + query))
        for label, query in (
            ("10 rows", "?q=learner0000"),
            ("1,000 rows", "?q=learner00"),
            (f"{rows - 1:,} rows ({size / 1e6:.1f} MB of CSV)", ""),
        )
    ]
    print(
        "Peak Python memory while streaming the export (tracemalloc): "
        + ", ".join(f"{peak / 1e6:.1f} MB for {label}" for label, peak in peaks)
        + "."
    )

    page_ms = results[0].median_ms
    export_s = export_result.median_ms / 1000
    print(
        f"Targets: cohort page < {PAGE_TARGET_MS} ms: {page_ms:.0f} ms "
        f"({'met' if page_ms < PAGE_TARGET_MS else 'MISSED'}); "
        f"export < {EXPORT_TARGET_S} s: {export_s:.2f} s "
        f"({'met' if export_s < EXPORT_TARGET_S else 'MISSED'})."
    )
    print(
        f"Whole run (seeding and timing, not database setup): {time.perf_counter() - started:.1f} s"
    )


def main(argv=None):
    args = parse_args(argv)
    _setup.configure()
    with (
        _setup.stopwatch("Total, with database creation and teardown"),
        _setup.throwaway_database(),
    ):
        run(args.iterations, args.exports, args.warmup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
