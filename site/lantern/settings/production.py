"""Production: secure cookies, HSTS, whitenoise-served static files, PostgreSQL via
DATABASE_URL. Refuses to start without SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    INSTALLED_APPS,
    LOGGING,
    STORAGES,
    env_bool,
    env_int,
    env_list,
    env_str,
)

LANTERN_ENVIRONMENT = "production"
DEBUG = False

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Generate one with: python -c "
        "'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# Rate limits (login, verify, join) and upload previews must be shared by every worker.
if not env_str("CACHE_URL").lower().startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "CACHE_URL must name a Redis server. Production needs a shared cache so that rate "
        "limits and upload previews hold across workers, e.g. CACHE_URL=redis://127.0.0.1:6379/0."
    )

LANTERN_REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)

STORAGES = {
    "default": STORAGES["default"],
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS. Behind a proxy that terminates TLS, it must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
# Cookies only over HTTPS. SESSION_COOKIE_SECURE=0 / CSRF_COOKIE_SECURE=0 only for a test
# deployment served over plain HTTP on a private network.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SESSION_COOKIE_HTTPONLY = True
# The interface language cookie (the header's switcher): HTTPS only, never read by scripts.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Emails (invitations, reminders) go through a queue in the database; run the worker with
# `manage.py db_worker`. TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend sends
# them inside the request instead (small sites without a worker process), and
# TASKS_BACKEND=django_tasks_rq.RQBackend keeps the queue in Redis (TASKS_REDIS_URL, by default
# CACHE_URL); run its worker with `manage.py rqworker --job-class django_tasks_rq.Job`.
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS = [*INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {
        "default": {
            "URL": env_str("TASKS_REDIS_URL") or env_str("CACHE_URL"),
            "DEFAULT_TIMEOUT": env_int("TASKS_TIMEOUT_SECONDS", 600),
        }
    }

LOGGING["root"]["level"] = env_str("LOG_LEVEL", "INFO")
LOGGING["handlers"]["console"]["formatter"] = env_str("LOG_FORMAT", "json")
