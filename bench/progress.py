"""Benchmark: the learner's hot paths on a large course with many learners.

Seeds a throwaway database with one course of 60 lessons (6 modules × 10) built through the
Wagtail page tree, 2,000 learners enrolled in it at varied progress (about 60,000 lesson
records), then times with Django's test client:

- GET "My learning" (the dashboard) for a learner half-way through, enrolled in 3 courses;
- GET the course page for that learner;
- POST "complete lesson": each iteration completes a lesson not yet completed (the next
  lesson of another learner in turn), so every POST really writes.

Run from the repository root: `.venv/bin/python bench/progress.py [--iterations 50]`.
SQLite by default; PostgreSQL with DATABASE_URL (a `test_` prefixed database is made and
dropped). See docs/performance.md.
"""

import argparse
import itertools
import random
import sys
import time

import _setup

MODULES = 6
LESSONS_PER_MODULE = 10
LESSONS = MODULES * LESSONS_PER_MODULE
LEARNERS = 2_000
PASSWORD = "bench-password-not-secret"  # noqa: S105
SEED = 2026


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--iterations", type=int, default=50, help="timed requests of each kind (default 50)"
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="untimed requests of each kind first (default 3)"
    )
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be at least 1 and --warmup at least 0")
    return args


def seed():
    """Build the course and learners.

    Returns (course, lessons, learners, enrolments, completed counts), the last three in the
    same order: learner n has completed the first completed_counts[n] lessons.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from courses.models import Enrolment, LessonProgress
    from tests import factories

    with _setup.stopwatch("  page tree (home, course index, 60-lesson course)"):
        home = factories.make_home_page()
        index = factories.make_course_index(home)
        course, lessons = factories.make_course(
            index,
            slug="bench-course",
            title="Bench course",
            modules=MODULES,
            lessons_per_module=LESSONS_PER_MODULE,
        )

    rng = random.Random(SEED)
    now = timezone.now()
    User = get_user_model()
    with _setup.stopwatch(f"  {LEARNERS:,} learners"):
        password = make_password(PASSWORD)
        learners = User.objects.bulk_create(
            User(
                email=f"learner{n:04d}@example.org",
                first_name="Learner",
                last_name=f"{n:04d}",
                password=password,
            )
            for n in range(LEARNERS)
        )

    # Varied progress: about a tenth not started, a tenth finished, the rest anywhere between.
    completed_counts = []
    for _ in learners:
        roll = rng.random()
        completed_counts.append(
            0 if roll < 0.1 else LESSONS if roll > 0.9 else rng.randint(1, LESSONS - 1)
        )
    completed_counts[0] = LESSONS // 2  # the learner who views the dashboard and course page

    with _setup.stopwatch(f"  {LEARNERS:,} enrolments with stored progress"):
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                user=learner,
                course=course,
                cycle=1,
                lessons_completed=k,
                lessons_total=LESSONS,
                progress_percent=100 * k // LESSONS,
                next_lesson_id=lessons[k].id if k < LESSONS else None,
                completed_at=now if k == LESSONS else None,
                last_activity_at=now if k else None,
            )
            for learner, k in zip(learners, completed_counts, strict=True)
        )

    # Lessons 1..k completed; learners part-way through have also opened lesson k + 1.
    def records():
        for enrolment, k in zip(enrolments, completed_counts, strict=True):
            for lesson in lessons[:k]:
                yield LessonProgress(
                    enrolment=enrolment,
                    lesson=lesson,
                    last_opened_at=now,
                    completed_at=now,
                    time_spent_seconds=rng.randint(60, 900),
                )
            if 0 < k < LESSONS:
                yield LessonProgress(enrolment=enrolment, lesson=lessons[k], last_opened_at=now)

    completed = sum(completed_counts)
    opened = sum(1 for k in completed_counts if 0 < k < LESSONS)
    with _setup.stopwatch(f"  {completed:,} completed + {opened:,} opened lesson records"):
        LessonProgress.objects.bulk_create(records(), batch_size=5_000)
    check_consistent(enrolments[:50])
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum would gather on a live database (and would
        # otherwise gather in the middle of the timings).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return course, lessons, learners, enrolments, completed_counts


def check_consistent(enrolments):
    """The stored progress equals what the progress service computes from the records."""
    from courses.learning import services as progress
    from courses.models import Enrolment

    fields = ("lessons_completed", "lessons_total", "progress_percent", "next_lesson_id")
    lessons = progress.course_lessons(enrolments[0].course)
    for enrolment in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]):
        stored = [getattr(enrolment, name) for name in fields]
        progress.recompute_progress(enrolment, lessons=lessons)
        computed = [getattr(enrolment, name) for name in fields]
        if stored != computed:
            raise RuntimeError(f"Seeded progress {stored} differs from computed {computed}")


def run(iterations, warmup):
    from django.test import Client
    from django.urls import reverse

    from courses.learning import services as progress
    from courses.models import LessonProgress
    from tests import factories

    started = time.perf_counter()
    with _setup.stopwatch("Seeding"):
        course, lessons, learners, enrolments, completed_counts = seed()

    # The dashboard and course page are viewed by a learner half-way through the course who
    # also takes two small courses.
    reader = learners[0]
    course_index = course.get_parent().specific
    for n in range(2):
        small, _ = factories.make_course(course_index, slug=f"small-{n}", title=f"Small {n}")
        progress.enrol(reader, small)

    client = Client()
    client.force_login(reader)
    dashboard_url = reverse("courses:dashboard")
    course_url = course.url
    results = [
        _setup.measure(
            "GET dashboard (3 enrolments)",
            lambda: client.get(dashboard_url),
            iterations,
            warmup=warmup,
            check=_setup.expect(200),
        ),
        _setup.measure(
            f"GET course page ({LESSONS} lessons)",
            lambda: client.get(course_url),
            iterations,
            warmup=warmup,
            check=_setup.expect(200),
        ),
    ]

    # Each POST completes the next lesson of another learner, taking learners in turn among
    # those who have more than one lesson left (so no POST completes the course, a different
    # path, and none repeats a completion, which would be a cheaper no-op). As in real use,
    # the learner has opened the lesson first (untimed).
    eligible = [i for i, k in enumerate(completed_counts) if i and k < LESSONS - 1]
    turns = itertools.cycle(eligible)
    pending = {}

    def before(_):
        for i in itertools.islice(turns, len(eligible)):
            if completed_counts[i] < LESSONS - 1:
                break
        else:  # 2,000 learners allow tens of thousands of iterations
            raise RuntimeError("No learner has a lesson left to complete")
        lesson = lessons[completed_counts[i]]
        completed_counts[i] += 1
        progress.record_lesson_opened(enrolments[i], lesson)
        pending["url"] = reverse("courses:complete_lesson", args=[lesson.pk])
        client.force_login(learners[i])

    results.append(
        _setup.measure(
            "POST complete lesson",
            lambda: client.post(pending["url"]),
            iterations,
            warmup=warmup,
            before=before,
            check=_setup.expect(302),
        )
    )
    total_posts = iterations + warmup
    recorded = LessonProgress.objects.filter(completed_at__isnull=False).count()
    if recorded != sum(completed_counts):
        raise RuntimeError(
            f"{recorded} completed lesson records, expected {sum(completed_counts)} after "
            f"{total_posts} completions"
        )

    _setup.print_report(results, iterations)
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
        run(args.iterations, args.warmup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
