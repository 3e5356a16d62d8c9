"""Step load test: the highest rate of the mixed learner workload served with p99 < 300 ms.

Runs bench/locustfile.py headless once per step, each with more simulated learners than the
last, against a site that is already serving (e.g. `bench/http_pages.py --serve`, or a staging
site with the variables bench/locustfile.py lists). Each step spawns all its learners at once,
lets them sign in for `--warmup` seconds, then resets the statistics (bench/locust_steps.py)
and measures the steady state of browsing, completing and quizzing for `--seconds`. It prints,
per step, requests per second, p50/p95/p99 and failures, and stops after the first step whose
p99 reaches the target or that has a failure. `--think "5,15"` gives each learner longer pauses
(the default, 1–3 s, is a stress test).

    .venv/bin/python bench/http_pages.py --serve --learners 100 --only postgresql   # a shell
    .venv/bin/python bench/step_load.py --host http://127.0.0.1:PORT                  # another

The load generator shares the machine unless you run it elsewhere: on a small machine the
rate it finds is a floor, not the server's ceiling (docs/performance.md).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LOCUST = Path(sys.executable).with_name("locust")


def run_step(host, users, seconds, warmup, think):
    """One locust run with `users` learners; the "Aggregated" row of its statistics."""
    with tempfile.TemporaryDirectory() as workdir:
        prefix = Path(workdir) / "step"
        result = subprocess.run(  # noqa: S603 (a fixed command line)
            [str(LOCUST), "-f", str(BENCH / "locust_steps.py"), "--headless", "--only-summary"]
            + ["-u", str(users), "-r", str(users), "-t", f"{seconds + warmup}s"]
            + ["--csv", str(prefix), "--host", host, "--loglevel", "WARNING"],
            check=False,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "LANTERN_WARMUP_SECONDS": str(warmup),
                "LANTERN_THINK_SECONDS": think,
            },
        )
        if not Path(f"{prefix}_stats.csv").exists():
            raise RuntimeError(f"locust failed: {result.stderr[-2000:]}")
        with open(f"{prefix}_stats.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Name"] == "Aggregated":
                    return row
    raise RuntimeError("locust wrote no aggregated statistics")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", required=True, help="the site, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--steps",
        default="10,20,30,40,60,80,100",
        help="learners per step, comma-separated (default 10,20,30,40,60,80,100)",
    )
    parser.add_argument("--seconds", type=int, default=40, help="measured per step (default 40)")
    parser.add_argument(
        "--warmup", type=int, default=15, help="sign-in time before measuring (default 15)"
    )
    parser.add_argument("--p99", type=float, default=300, help="target p99 in ms (default 300)")
    parser.add_argument(
        "--think",
        default="1,3",
        help='pause between a learner\'s actions, "min,max" seconds (default "1,3")',
    )
    args = parser.parse_args()

    print(f"{'learners':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'failures':>8}")
    best = None
    for users in (int(step) for step in args.steps.split(",")):
        row = run_step(args.host, users, args.seconds, args.warmup, args.think)
        rate, p99 = float(row["Requests/s"]), float(row["99%"])
        print(
            f"{users:>8} {rate:>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{row['Failure Count']:>8}",
            flush=True,
        )
        if p99 >= args.p99 or int(row["Failure Count"]):
            break
        best = (users, rate)
    if best:
        print(f"Highest rate with p99 < {args.p99:g} ms: {best[1]:.1f} req/s ({best[0]} learners)")
    else:
        print(f"No step kept p99 under {args.p99:g} ms.")


if __name__ == "__main__":
    main()
