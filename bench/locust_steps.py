"""bench/locustfile.py's workload, measured only once the learners have signed in: the
statistics are reset `LANTERN_WARMUP_SECONDS` (default 15) after the start, so a step of
bench/step_load.py reports the steady state of browsing, completing and quizzing."""

import os

import gevent
from locust import events
from locustfile import Learner  # noqa: F401 (the workload: locust runs the users it finds)

WARMUP_SECONDS = float(os.environ.get("LANTERN_WARMUP_SECONDS", "15"))


@events.test_start.add_listener
def reset_after_warmup(environment, **kwargs):
    gevent.spawn_later(WARMUP_SECONDS, environment.stats.reset_all)
