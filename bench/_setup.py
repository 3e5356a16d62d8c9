"""Shared helpers for the benchmarks in `bench/`: Django setup, a throwaway database, timing.

Not a benchmark itself: `make bench` runs every `bench/*.py`, and running this file does
nothing (no output, exit status 0). Benchmarks run as scripts, so `bench/` is first on
sys.path and they import it as `_setup`:

    import _setup

    _setup.configure()
    with _setup.throwaway_database():
        ...seed...
        rows = [_setup.measure("GET page", lambda: client.get(url), iterations=50)]
        _setup.print_report(rows)
"""

import argparse
import contextlib
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = "lantern.settings.test"


def configure(settings_module=DEFAULT_SETTINGS):
    """Put the repository root and `site/` on sys.path (as manage.py does) and set Django up.

    DJANGO_SETTINGS_MODULE, when set, wins over `settings_module`; DATABASE_URL picks the
    database (SQLite without it).
    """
    for path in (ROOT, ROOT / "site"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


@contextlib.contextmanager
def throwaway_database(verbosity=0):
    """A freshly migrated test database (as the test runner makes it), destroyed afterwards.

    SQLite: an in-memory database. PostgreSQL: `test_<name>`, replaced if it already exists.
    The database is destroyed even when the body raises.
    """
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
        yield connection
    finally:
        try:
            # destroy_test_db drops the database the connection currently names. Only once
            # create_test_db has switched it to the test database (it does so right after
            # creating it, so a failed migration is cleaned up too): before that it would be
            # the real one, e.g. the repository's db.sqlite3.
            if connection.settings_dict["NAME"] != old_name:
                connection.creation.destroy_test_db(old_name, verbosity=verbosity)
        finally:
            teardown_test_environment()


@contextlib.contextmanager
def stopwatch(label):
    """Print how long the block took: `label: 1.23 s`."""
    start = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)


@dataclass
class Result:
    """Timings (seconds) and query counts of one kind of request."""

    name: str
    seconds: list = field(default_factory=list)
    queries: list = field(default_factory=list)

    @property
    def median_ms(self):
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self):
        return percentile(self.seconds, 95) * 1000

    @property
    def max_queries(self):
        return max(self.queries)


def percentile(values, pct):
    """Nearest-rank percentile: the smallest value with at least pct% of values <= it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def measure(name, request, iterations, *, warmup=3, before=None, check=None):
    """Call `request()` warmup + iterations times; time and count the queries of the latter.

    `before(i)`, when given, runs before each call, untimed (e.g. to log in another user).
    `check(response)`, when given, runs after each call, untimed; it should raise if the
    response is not what the benchmark means to measure (a 302 to the login page, say).
    Query counting (CaptureQueriesContext) is on during the timed calls; its cost is small.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(name)
    for i in range(warmup + iterations):
        if before is not None:
            before(i)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = request()
            elapsed = time.perf_counter() - start
        if check is not None:
            check(response)
        if i >= warmup:
            result.seconds.append(elapsed)
            result.queries.append(len(captured))
    return result


def environment_line():
    """Python, Django, Wagtail and database versions, and the machine."""
    import django
    import wagtail
    from django.db import connection

    db_version = ".".join(str(part) for part in connection.get_database_version())
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, {connection.display_name} {db_version}; "
        f"{platform.platform()}, {os.cpu_count()} CPUs{cpu_model()}"
    )


def cpu_model():
    """`, <model name>` from /proc/cpuinfo where there is one, else ''."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return ", " + line.split(":", 1)[1].strip()
    return ""


def print_report(results, iterations):
    """The table of results (median, p95, max queries per request) and the environment line."""
    width = max(len("request"), *(len(r.name) for r in results))
    header = f"{'request':<{width}}  {'median ms':>9}  {'p95 ms':>9}  {'queries/request':>15}"
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.name:<{width}}  {r.median_ms:>9.1f}  {r.p95_ms:>9.1f}  {r.max_queries:>15}")
    print()
    print(f"{iterations} iterations per request after warm-up; queries: max over iterations.")
    print(environment_line())


# --- Command line -----------------------------------------------------------------------


def argument_parser(doc):
    """An argument parser described by the first paragraph of a benchmark's docstring."""
    return argparse.ArgumentParser(description=doc.split("\n\n")[0])


def require_at_least(parser, args, minimum, *names):
    """Stop with a usage error unless each named option is at least `minimum`."""
    if any(getattr(args, name) < minimum for name in names):
        options = ", ".join("--" + name.replace("_", "-") for name in names)
        parser.error(f"{options}: each must be at least {minimum}")


# --- Seeding ----------------------------------------------------------------------------


def bulk_cohort_members(cohort, count, *, password, joined_at, email, last_name, first_name):
    """`count` people (bulk-created), each a member of `cohort` by upload. `email` and
    `last_name` are format strings of `n`; `first_name(n)` gives each first name. `password`
    is an already-hashed password. Returns the people, in order."""
    from django.contrib.auth import get_user_model

    from courses.models import CohortMembership, MembershipSource

    User = get_user_model()
    people = User.objects.bulk_create(
        (
            User(
                email=email.format(n=n),
                first_name=first_name(n),
                last_name=last_name.format(n=n),
                password=password,
            )
            for n in range(count)
        ),
        batch_size=2_000,
    )
    CohortMembership.objects.bulk_create(
        (
            CohortMembership(
                cohort=cohort, user=person, source=MembershipSource.UPLOAD, joined_at=joined_at
            )
            for person in people
        ),
        batch_size=2_000,
    )
    return people


def bulk_enrolments(course, cohort, people, fields):
    """One enrolment (cycle 1) in the course, through the cohort, for each person, bulk-created;
    `fields(n, person)` gives the rest of its fields (stored progress, dates). Returns them."""
    from courses.models import Enrolment

    return Enrolment.objects.bulk_create(
        (
            Enrolment(user=person, course=course, cycle=1, cohort=cohort, **fields(n, person))
            for n, person in enumerate(people)
        ),
        batch_size=2_000,
    )


if __name__ == "__main__":
    # A helper, not a benchmark: `make bench` runs it too, and it does nothing.
    pass


def expect(status):
    """A response check for `measure`: fail loudly when a request does not answer `status`."""

    def check(response):
        if response.status_code != status:
            raise RuntimeError(
                f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}: "
                f"expected {status}, got {response.status_code}"
            )

    return check
