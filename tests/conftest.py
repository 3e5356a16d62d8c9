"""Shared fixtures: a real Wagtail page tree and users, built per test."""

import pytest
from django.contrib.auth import get_user_model

from tests import factories

PASSWORD = "correct-horse-battery"


@pytest.fixture
def home_page(db):
    return factories.make_home_page()


@pytest.fixture
def make_user(db):
    """Accounts whose email address is verified, as an established account's is; pass
    verified=False for one that has not confirmed its address yet."""

    def make(email="learner@example.org", password=PASSWORD, verified=True, **fields):
        user = get_user_model().objects.create_user(email=email, password=password, **fields)
        if verified:
            factories.verify_email(user)
        return user

    return make


@pytest.fixture
def learner(make_user):
    return make_user("learner@example.org", first_name="Lena", last_name="Novak")


@pytest.fixture
def course_index(home_page):
    return factories.make_course_index(home_page)


@pytest.fixture
def course(course_index):
    """A published course: 2 modules × 2 lessons. Returns (course, lessons)."""
    return factories.make_course(course_index)


@pytest.fixture
def spanish(settings, db):
    """Content in English and Spanish (Wagtail's internationalisation on, a Spanish locale,
    the language taken from the request): returns the Spanish Locale."""
    from wagtail.models import Locale

    settings.WAGTAIL_I18N_ENABLED = True
    settings.LANGUAGES = settings.WAGTAIL_CONTENT_LANGUAGES = [
        ("en-gb", "English"),
        ("es", "Español"),
    ]
    if "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE:
        sessions = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: sessions + 1],
            "django.middleware.locale.LocaleMiddleware",
            *settings.MIDDLEWARE[sessions + 1 :],
        ]
    return Locale.objects.get_or_create(language_code="es")[0]


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    from courses.content import locales, page_cache

    cache.clear()
    locales.forget_memo()
    page_cache.forget_local()
    yield
    cache.clear()
    locales.forget_memo()
    page_cache.forget_local()


@pytest.fixture(autouse=True)
def default_language():
    """A request to /es/... leaves Spanish active in the thread (LocaleMiddleware activates a
    language per request and never resets it): each test starts and ends in the default."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def fresh_minute():
    """Rate limits count per clock minute: a test that sends a limit's worth of requests
    starts early in a minute, so that its requests do not straddle two."""
    import time

    if time.time() % 60 > 40:
        time.sleep(61 - time.time() % 60)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to; `stop()` it to
    take the mail server down and `start()` it to bring it back."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
