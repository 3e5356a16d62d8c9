"""Settings shared by every environment. Environment variables configure a deployment."""

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from lantern.env import (
    cache_config,
    email_config,
    env_bool,
    env_int,
    env_list,
    env_str,
    media_storage_config,
    session_engine,
)

SITE_DIR = Path(__file__).resolve().parent.parent.parent  # site/
BASE_DIR = SITE_DIR.parent  # the repository root

LANTERN_ENVIRONMENT = "base"
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lantern.users",
    "lantern.home",
    "courses",
    "quizzes",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command replaces that app's (it survives a
    # database restart).
    "lantern.ops",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # Request ids first, then probes: /healthz and /readyz answer before host checks,
    # redirects and sessions.
    "lantern.ops.logs.RequestIdMiddleware",
    "lantern.ops.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: from the URL prefix (/es/, /fr/, /ar/), English without one.
    # After sessions (it may read them), before CommonMiddleware (which appends slashes).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lantern.users.middleware.IdleSessionMiddleware",
    "lantern.users.middleware.RequireTwoFactorMiddleware",
    # After the user and the language: the header's cached values come with the page's.
    "lantern.home.middleware.HeaderPrefetchMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lantern.security.LanternCSPMiddleware",
    "lantern.security.PermissionsPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lantern.urls"
WSGI_APPLICATION = "lantern.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lantern.home.context_processors.lantern",
            ],
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user:password@host:5432/lantern.
# Without it, a SQLite file in the repository (git-ignored).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = cache_config(env_str("CACHE_URL"))

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:dashboard"  # after login: My learning (or `next`)
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): email is the login; an address must be verified before a cohort
# seat, an invitation or a manager role takes effect (docs/privacy.md).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "lantern.users.forms.SignupDetailsForm"
# After sign-in, My learning in the person's chosen language (lantern.users.adapter).
ACCOUNT_ADAPTER = "lantern.users.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "lantern.users.allauth_forms.LoginForm",
    "signup": "lantern.users.allauth_forms.SignupForm",
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address emails no one
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# After sign-up: the account page, which asks the person to confirm their address.
ACCOUNT_SIGNUP_REDIRECT_URL = "account"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{env_str('SITE_NAME', 'Lantern')}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not env_bool("DEBUG", False) else "http"
# Rate limits count per account ("key") and per client address ("ip"). Police stations and
# schools share one address, so the per-address limits are generous and the per-account ones
# strict: the 11th wrong password for one account in 15 minutes is refused, even if right.
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": "60/m/ip,10/15m/key",
    "signup": "60/m/ip",
    "reset_password": "30/m/ip,3/h/key",
    "reset_password_from_key": "30/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
# The client address behind TRUSTED_PROXY_COUNT proxies that append to X-Forwarded-For
# (docs/deploy.md). 0: the connecting address (REMOTE_ADDR) is the client.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
LANTERN_TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT

# Two-factor sign-in: authenticator apps (TOTP) with recovery codes, and security keys or
# passkeys (WebAuthn) as a second factor.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("SITE_NAME", "Lantern")
MFA_PASSKEY_LOGIN_ENABLED = False
# Staff, editors, reviewers and organisation managers must turn on two-factor sign-in before
# they reach the admin or the manager area. On in production; REQUIRE_TWO_FACTOR=true locally.
LANTERN_REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", False)

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes if
# the person ticked "This is a shared device" when logging in.
LANTERN_SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 60 * 60
# Sessions in the database (SESSION_ENGINE=db, the default), in the shared cache (cache:
# Redis in production) or both (cached_db): either way every app server sees them.
SESSION_ENGINE = session_engine(env_str("SESSION_ENGINE", "db"))

# Interface languages (docs/translation.md). English is the default and has no URL prefix, so
# every English address stays as it was; the others live under /es/, /fr/ and /ar/. Catalogues
# are in locale/ (`make messages`); Arabic is written right to left (<html dir="rtl">).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Page content in the same languages (wagtail-localize, docs/translation.md "Part 2"): a
# language's pages come from its Locale's tree (translations, or aliases of the English pages
# until they are translated). A language without a Locale serves the English pages under its
# own prefix, with its own interface (`courses.content.locales`).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Media (images, documents): MEDIA_ROOT on this server, or MEDIA_STORAGE=s3 for an
# S3-compatible object store shared by every app server (docs/deploy.md).
STORAGES = {
    "default": media_storage_config(env_str("MEDIA_STORAGE", "file")),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: EMAIL_URL, e.g. smtp://user:password@smtp.example.org:587 (console:// in development).
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lantern <lantern@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where learners write about privacy or accessibility: shown on /privacy/ and /accessibility/.
LANTERN_CONTACT_EMAIL = env_str("CONTACT_EMAIL") or parseaddr(DEFAULT_FROM_EMAIL)[1]
globals().update(email_config(env_str("EMAIL_URL", "console://")))

# Background work: django-tasks. Immediate by default; production uses the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "Lantern")
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")

# Signed Open Badges credentials (docs/credentials.md): the Ed25519 signing key (a Multikey
# private key from `manage.py credential_key`) and retired public keys still to publish.
LANTERN_CREDENTIAL_SIGNING_KEY = env_str("CREDENTIAL_SIGNING_KEY")
LANTERN_CREDENTIAL_RETIRED_KEYS = env_list("CREDENTIAL_RETIRED_KEYS")
# xAPI statements to a learning record store (docs/xapi.md); off while XAPI_ENDPOINT is unset.
LANTERN_XAPI_ENDPOINT = env_str("XAPI_ENDPOINT")
LANTERN_XAPI_USERNAME = env_str("XAPI_USERNAME")
LANTERN_XAPI_PASSWORD = env_str("XAPI_PASSWORD")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_COMMENTS_ENABLED = True
# The admin signs in through the site's login: the same throttling and two-factor sign-in.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No Gravatar: editors' email hashes are not sent to a third party, and the admin's policy
# below needs no outside image host. Wagtail shows its default avatar or an uploaded one.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Content Security Policy (django-csp; docs/deploy.md). The front end allows no inline script
# or style: every script and stylesheet is a static file. Lesson videos (Wagtail embeds) play
# in iframes from the hosts in CSP_FRAME_SRC (comma-separated; empty allows none).
LANTERN_CSP_FRAME_SRC = env_list(
    "CSP_FRAME_SRC",
    ["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *LANTERN_CSP_FRAME_SRC],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Under the Wagtail admin (lantern.security.LanternCSPMiddleware), including the page previews
# that it shows in an iframe of its own pages: Wagtail needs inline scripts and styles, and
# data: and blob: images (uploads, focal points, the userbar).
LANTERN_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF, *LANTERN_CSP_FRAME_SRC],
        "worker-src": [SELF, "blob:"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [SELF],
    }
}
# Permissions-Policy (lantern.security.PermissionsPolicyMiddleware): browser features the site
# never uses are switched off for it and for every frame it embeds. Passkeys
# (publickey-credentials-*), fullscreen, picture-in-picture and the clipboard (copy buttons)
# keep the browser's defaults.
LANTERN_PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Lantern
# Learners can start a new certification cycle this many days before a certificate expires.
LANTERN_CERTIFICATE_RENEWAL_DAYS = env_int("CERTIFICATE_RENEWAL_DAYS", 60)
# The organisation named as issuer on certificate PDFs and Open Badges.
LANTERN_CERTIFICATE_ISSUER_NAME = env_str("CERTIFICATE_ISSUER_NAME", WAGTAIL_SITE_NAME)
# The daily reminder (send_certificate_reminders) emails holders this many days before expiry.
# Keep it within the renewal window, so that the reminder's "renew" link works.
LANTERN_CERTIFICATE_REMINDER_DAYS = env_int("CERTIFICATE_REMINDER_DAYS", 30)

# Where the quick-exit control sends people: a neutral, busy site (GOV.UK uses BBC Weather).
LANTERN_QUICK_EXIT_URL = env_str("QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")

# Cohort reports show no counts or percentages for groups smaller than this (privacy).
LANTERN_COHORT_MIN_GROUP_SIZE = env_int("COHORT_MIN_GROUP_SIZE", 5)

# The email outbox: a worker holds the emails it claimed this long; a batch must be sent within
# it, and emails a dead worker left unsent are picked up once it has run out.
LANTERN_OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 600)

# Where managers' CSV upload previews wait for confirmation: "cache" (shared through Redis in
# production) or "file" (UPLOAD_DIRECTORY, default the system's temporary directory).
LANTERN_UPLOAD_STORAGE = env_str("UPLOAD_STORAGE", "cache")
LANTERN_UPLOAD_DIRECTORY = env_str("UPLOAD_DIRECTORY", "")

# Quiz attempts count per certification cycle: a new cycle resets attempt limits (history kept).
QUIZZES_ATTEMPT_WINDOW = "courses.learning.quiz_link.attempt_window"
# A passed quiz reached from a lesson offers "Continue": complete the lesson and go on.
QUIZZES_NEXT_STEP = "courses.learning.quiz_link.next_step"
# Questions tagged by jurisdiction are drawn for the jurisdiction on the learner's enrolment.
QUIZZES_LEARNER_JURISDICTION = "courses.learning.quiz_link.learner_jurisdiction"

# Logs go to standard error, each line with the request's id (X-Request-ID). LOG_FORMAT=json
# writes one JSON object per line for log collectors (the default in production).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lantern.ops.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "lantern.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Apps that hold a learner's personal data: "Download my data" merges their exports, and
# deleting an account runs their erasers first (docs/privacy.md).
LANTERN_DATA_EXPORTERS = {
    "courses": "courses.learning.privacy.export_user_data",
    "quizzes": "quizzes.privacy.export_user_data",
}
LANTERN_DATA_ERASERS = [
    "courses.learning.privacy.erase_user_data",
    "quizzes.privacy.erase_user_data",
]
