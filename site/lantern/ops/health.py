"""`GET /healthz` (the process answers) and `GET /readyz` (it can reach what it needs).

Answered by `HealthCheckMiddleware` at the top of the middleware stack, before host
validation, the HTTPS redirect, sessions and authentication: load balancers and orchestrators
probe by IP over plain HTTP, and a probe must never touch a session or write anything.
"""

import json
import os
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connections
from django.http import HttpResponse

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def _json(status, body):
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def check_database():
    """Every configured database answers a trivial query."""
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def check_cache():
    """The default cache stores and returns a value (Redis in production)."""
    key = f"lantern:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def check_storage():
    """Media storage is reachable: a writable directory, or an object store that answers."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:  # S3-compatible: the bucket exists and these credentials may use it
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)
        return
    location = getattr(default_storage, "location", None)
    if location is not None and hasattr(default_storage, "path"):
        if not (os.path.isdir(location) and os.access(location, os.W_OK)):
            raise RuntimeError("the media directory is missing or not writable")
        return
    default_storage.exists("lantern-readyz-probe")


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


def healthz():
    """The process is up and serving requests; nothing else is checked."""
    return _json(200, {"status": "ok"})


def readyz():
    """200 when the database, cache and storage are all reachable, else 503 naming the failures.

    Only the kind of failure is shown (exception class), never connection strings."""
    results, ok = {}, True
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 (any failure means not ready)
            results[name] = f"failing: {type(error).__name__}"
            ok = False
        else:
            results[name] = "ok"
    for alias in connections:
        # A failed check must not leave a broken connection for the next request.
        connections[alias].close_if_unusable_or_obsolete()
    return _json(200 if ok else 503, {"status": "ok" if ok else "failing", "checks": results})


class HealthCheckMiddleware:
    """Answers the two probe paths before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"GET", "HEAD"}:
            if request.path == HEALTH_PATH:
                return healthz()
            if request.path == READY_PATH:
                return readyz()
        return self.get_response(request)
