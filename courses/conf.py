"""The settings courses reads, with their defaults, in one place.

A host site sets them in its Django settings; every function reads the current value, so tests
can override settings as usual."""

from urllib.parse import urljoin

from django.conf import settings


def base_url():
    """The site's public address, for links in emails and credentials."""
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000"


def absolute_url(path):
    """A link on the site's public address (for emails)."""
    return urljoin(base_url(), path)


def site_name():
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "Lantern"


def certificate_renewal_days():
    """How long before expiry a certificate counts as "expires soon" and can be renewed."""
    return getattr(settings, "LANTERN_CERTIFICATE_RENEWAL_DAYS", 60)


def certificate_reminder_days():
    """How long before expiry the daily job emails the holder (once)."""
    return getattr(settings, "LANTERN_CERTIFICATE_REMINDER_DAYS", 30)


def certificate_issuer_name():
    """The issuing organisation on certificate PDFs and Open Badges."""
    return getattr(settings, "LANTERN_CERTIFICATE_ISSUER_NAME", "") or site_name()


def cohort_min_group_size():
    """Managers' summary figures for groups smaller than this are not shown."""
    return getattr(settings, "LANTERN_COHORT_MIN_GROUP_SIZE", 5)


def upload_storage():
    """Where managers' CSV upload previews wait for confirmation: "cache" or "file"."""
    return getattr(settings, "LANTERN_UPLOAD_STORAGE", "cache")


def upload_directory():
    """With the "file" storage, the directory for previews (default: the system temp dir)."""
    return getattr(settings, "LANTERN_UPLOAD_DIRECTORY", "")


def trusted_proxy_count():
    """How many proxies in front of the site append to X-Forwarded-For (0: none; the
    connecting address is the client)."""
    return getattr(settings, "LANTERN_TRUSTED_PROXY_COUNT", 0)


def outbox_max_attempts():
    """How many times the outbox tries an email before it shows it as not delivered."""
    return getattr(settings, "LANTERN_OUTBOX_MAX_ATTEMPTS", 8)


def outbox_batch_size():
    """How many emails one delivery run sends over one mail connection."""
    return getattr(settings, "LANTERN_OUTBOX_BATCH_SIZE", 100)


def outbox_lease_seconds():
    """How long a worker holds the emails it claimed (seconds). A batch must be sent within
    it; once it has run out (the worker died), another worker sends what was not marked sent."""
    return getattr(settings, "LANTERN_OUTBOX_LEASE_SECONDS", 600)


def credential_signing_key():
    """The Ed25519 key that signs Open Badges credentials, as a Multikey private key (`z3u2…`,
    from `manage.py credential_key`); empty: a key derived from SECRET_KEY (development)."""
    return getattr(settings, "LANTERN_CREDENTIAL_SIGNING_KEY", "")


def credential_retired_keys():
    """Public keys (`z6Mk…`) that signed credentials before the current key: still listed in
    the site's DID document, so credentials they signed keep verifying."""
    return list(getattr(settings, "LANTERN_CREDENTIAL_RETIRED_KEYS", []))


def xapi_endpoint():
    """The site's learning record store (xAPI base URL ending in /xAPI/ or similar); empty:
    no statements are sent to a site-wide store."""
    return getattr(settings, "LANTERN_XAPI_ENDPOINT", "")


def xapi_credentials():
    """(username, password) for HTTP basic auth at the site's LRS."""
    return (
        getattr(settings, "LANTERN_XAPI_USERNAME", ""),
        getattr(settings, "LANTERN_XAPI_PASSWORD", ""),
    )


def xapi_batch_size():
    """How many statements one request to an LRS carries."""
    return getattr(settings, "LANTERN_XAPI_BATCH_SIZE", 50)


def xapi_max_attempts():
    """After this many failed sends the queue for that store waits for `xapi_replay` or staff."""
    return getattr(settings, "LANTERN_XAPI_MAX_ATTEMPTS", 10)
