"""Read Lantern's configuration from the environment.

Every setting a deployment may change comes from an environment variable; docs/configuration
(README) lists them. The helpers here turn those strings into Django settings.
"""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def email_config(url):
    """Turn an EMAIL_URL into Django email settings.

    Supported: ``console://``, ``locmem://``, ``dummy://``, ``file:///path/to/dir``,
    ``smtp://user:password@host:587`` (STARTTLS unless ``?tls=false``) and
    ``smtps://user:password@host:465`` (implicit TLS).
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"EMAIL_BACKEND": simple[scheme]}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if scheme in {"smtp", "smtps", "submission"}:
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        implicit_tls = scheme == "smtps"
        starttls = not implicit_tls and query.get("tls", "true").lower() in TRUE_WORDS
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if implicit_tls else 587),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": starttls,
            "EMAIL_USE_SSL": implicit_tls,
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported "
        "(use console://, file:///dir, smtp:// or smtps://)."
    )


def cache_config(url):
    """Turn a CACHE_URL into Django's CACHES. Empty means a per-process memory cache."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    scheme = urlparse(url).scheme.lower()
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "default": {
                # Django's RedisCache, reusing its Redis client objects (lantern.cache).
                "BACKEND": "lantern.cache.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "lantern",
            }
        }
    if scheme == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if scheme == "dummy":
        return {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    raise ImproperlyConfigured(
        f"CACHE_URL scheme {scheme!r} is not supported (use redis://host:6379/0 or locmem://)."
    )


def media_storage_config(kind):
    """The "default" storage for MEDIA_STORAGE: `file` (MEDIA_ROOT) or `s3` (any S3-compatible
    object store, configured with the S3_* variables). Media stay private on S3: files are
    served through time-limited signed URLs."""
    kind = (kind or "file").lower()
    if kind == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        bucket = env_str("S3_BUCKET")
        if not bucket:
            raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "region_name": env_str("S3_REGION") or None,
                "access_key": env_str("S3_ACCESS_KEY_ID") or None,
                "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
                "location": env_str("S3_PREFIX", "media"),
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 300),
                "file_overwrite": False,
                "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
            },
        }
    raise ImproperlyConfigured(f"MEDIA_STORAGE {kind!r} is not supported (use file or s3).")


SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}


def session_engine(name):
    """Turn SESSION_ENGINE (db, cache or cached_db) into Django's session engine path."""
    try:
        return SESSION_ENGINES[name.strip().lower()]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"SESSION_ENGINE must be one of {', '.join(SESSION_ENGINES)}, not {name!r}."
        ) from exc
