"""Health probes, request ids and JSON log lines, as an orchestrator and a log reader see them."""

import io
import json
import logging

import pytest
from django.test import override_settings

from lantern.ops.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


class TestHealthz:
    def test_answers_without_touching_the_database(self, client, django_assert_num_queries):
        with django_assert_num_queries(0):
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response["Cache-Control"] == "no-store"

    @override_settings(ALLOWED_HOSTS=["lantern.example.org"], SECURE_SSL_REDIRECT=True)
    def test_a_probe_by_ip_over_plain_http_is_answered(self, client):
        # Load balancers probe the pod's address over HTTP: no 400 for the host, no redirect.
        for path in ("/healthz", "/readyz"):
            response = client.get(path, HTTP_HOST="10.0.3.7:8000")
            assert response.status_code == 200, path
        # Everything else still refuses an unknown host.
        assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400

    def test_sets_no_cookie(self, client):
        response = client.get("/readyz")
        assert not response.cookies


class TestReadyz:
    def test_ready_when_database_cache_and_storage_answer(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
        }

    def test_not_ready_when_redis_is_unreachable(self, client):
        # A real Redis client pointed at a port nothing listens on.
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"socket_connect_timeout": 0.5},
            }
        }
        with override_settings(CACHES=caches):
            response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "failing"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["cache"].startswith("failing: ")
        assert "127.0.0.1" not in response.content.decode()

    def test_not_ready_when_the_media_directory_is_missing(self, client, tmp_path):
        storages = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "gone")},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["storage"].startswith("failing: ")

    def test_post_is_not_a_probe(self, client):
        response = client.post("/readyz")
        assert response.status_code != 200
        assert b"checks" not in response.content


class TestRequestIds:
    def test_every_response_carries_a_fresh_id(self, client):
        first = client.get("/healthz")["X-Request-ID"]
        second = client.get("/", follow=False)["X-Request-ID"]
        assert len(first) == 32 and len(second) == 32 and first != second

    def test_a_proxy_supplied_id_is_kept_and_a_malformed_one_replaced(self, client):
        kept = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
        assert kept["X-Request-ID"] == "lb-7f3a9c21-0001"
        replaced = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
        assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
        assert len(replaced["X-Request-ID"]) == 32

    def test_log_lines_are_json_with_the_request_id(self, client):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(JsonFormatter())
        logger = logging.getLogger("django.request")
        logger.addHandler(handler)
        try:
            response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-0000abcd")
        finally:
            logger.removeHandler(handler)
        assert response.status_code == 404
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert lines, "Django logs a 404 as a warning"
        entry = lines[-1]
        assert entry["request_id"] == "trace-0000abcd"
        assert entry["level"] == "WARNING"
        assert entry["logger"] == "django.request"
        assert entry["status"] == 404
        assert "/no-such-page/" in entry["message"]
