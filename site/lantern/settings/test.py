"""Tests: fast hashing, in-memory email and cache, immediate background tasks."""

from .base import *  # noqa: F403

LANTERN_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-insecure-key-lantern"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Indexing every page save makes building large page trees slow (PostgreSQL's database
# backend renormalises titles on each insert). Tests of search switch it back on.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
