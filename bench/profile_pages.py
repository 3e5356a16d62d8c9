"""Profile Lantern's learner pages in-process: Python function calls, queries and cache
commands per request, against the bare Wagtail page (bench/http_pages.py's pages and data).

Wall-clock benchmarks are noisy on a busy machine; function-call counts are not. This seeds a
temporary SQLite database exactly as bench/http_pages.py does (production settings, Redis
cache), then requests each page through Django's test client, signed in as its learner or
manager: a few warm-up requests, then one under cProfile and one counting queries.

Run from the repository root:

    .venv/bin/python bench/profile_pages.py                  # the table
    .venv/bin/python bench/profile_pages.py --top 25 --page lesson   # where a page's calls go
    .venv/bin/python bench/profile_pages.py --members 10000  # the full cohort (slower seeding)

Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/13; that database is flushed).
See docs/performance.md.
"""

import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _setup
import http_pages

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = _setup.argument_parser(__doc__)
    parser.add_argument("--members", type=int, default=2000, help="cohort size (default 2000)")
    parser.add_argument("--page", help="only pages whose name contains this text")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    parser.add_argument(
        "--sort", default="tottime", help="pstats sort key for --top (default tottime)"
    )
    parser.add_argument(
        "--by-file", type=int, default=0, help="print the N files whose functions run most"
    )
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--timed", type=int, default=20, help="timed requests per page (20)")
    parser.add_argument("--dump", help="write each page's profile to DIR/<page>.pstats")
    parser.add_argument(
        "--callers", action="append", default=[], help="print who calls functions matching this"
    )
    return parser.parse_args(argv)


class CacheCounter:
    """Counts calls to the default cache's methods (each is one Redis round trip)."""

    METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")

    def __init__(self):
        from django.core.cache import caches

        self.cache = caches["default"]  # this thread's backend, the one `cache` stands for
        self.count = 0
        self.originals = {}

    def __enter__(self):
        for name in self.METHODS:
            original = getattr(self.cache, name)
            self.originals[name] = original

            def counted(*args, _original=original, **kwargs):
                self.count += 1
                return _original(*args, **kwargs)

            setattr(self.cache, name, counted)
        return self

    def __exit__(self, *exc):
        for name in self.METHODS:
            delattr(self.cache, name)


def profile(pages, cookies, args):
    from django.db import connection
    from django.test import Client

    rows = []
    for name, (path, who) in pages.items():
        if args.page and args.page.lower() not in name.lower():
            continue
        client = Client()
        client.cookies["sessionid"] = cookies[who]
        for _ in range(3):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
        queries = []

        def record(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with (
            connection.execute_wrapper(record),
            CacheCounter() as cache_calls,
        ):
            client.get(path)
        if args.sql:
            print(f"\n=== {name}: {len(queries)} queries")
            for sql in queries:
                print("  " + sql[:300])
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        if args.dump:
            slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            stats.dump_stats(str(Path(args.dump) / f"{slug}.pstats"))
        for pattern in args.callers:
            print(f"\n=== {name}: callers of {pattern}")
            stats.sort_stats("ncalls").print_callers(pattern)
        times = []
        for _ in range(args.timed):
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
        rows.append(
            (
                name,
                stats.total_calls,
                len(queries),
                cache_calls.count,
                statistics.median(times) * 1000,
            )
        )
        if args.by_file:
            by_file = {}
            for (filename, _line, _name), (_cc, calls, *_rest) in stats.stats.items():
                short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
                by_file[short] = by_file.get(short, 0) + calls
            print(f"\n=== {name}: {stats.total_calls:,} calls, by file")
            for short, calls in sorted(by_file.items(), key=lambda item: -item[1])[: args.by_file]:
                print(f"{calls:>8,}  {short}")
        if args.top:
            print(f"\n=== {name}: {stats.total_calls:,} calls")
            stats.sort_stats(args.sort).print_stats(args.top)
    return rows


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    workdir = Path(tempfile.mkdtemp(prefix="lantern-profile-"))
    try:
        env = http_pages.environment(f"sqlite:///{workdir / 'profile.sqlite3'}", workdir)
        env["CACHE_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
        os.environ.update(env)
        sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        pages, cookies = http_pages.seed(args.members)
        rows = profile(pages, cookies, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'page':<34}{'calls':>9}{'queries':>9}{'cache':>7}{'ms (busy machine)':>19}")
    for name, calls, queries, cache_calls, ms in rows:
        print(f"{name:<34}{calls:>9,}{queries:>9}{cache_calls:>7}{ms:>19.1f}")


if __name__ == "__main__":
    main()
