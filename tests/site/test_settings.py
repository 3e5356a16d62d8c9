"""Configuration comes from the environment; production refuses to run unsafely."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from lantern.env import cache_config, email_config, env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env=None):
    unset = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestEmailUrl:
    def test_smtp_with_credentials_uses_starttls(self):
        config = email_config("smtp://mailer:p%40ss@smtp.example.org:2525")
        assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert config["EMAIL_HOST"] == "smtp.example.org"
        assert config["EMAIL_PORT"] == 2525
        assert config["EMAIL_HOST_USER"] == "mailer"
        assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
        assert config["EMAIL_USE_TLS"] is True
        assert config["EMAIL_USE_SSL"] is False

    def test_smtps_uses_implicit_tls_on_465(self):
        config = email_config("smtps://smtp.example.org")
        assert config["EMAIL_PORT"] == 465
        assert config["EMAIL_USE_SSL"] is True
        assert config["EMAIL_USE_TLS"] is False

    def test_console_is_the_development_default(self):
        assert email_config("console://") == {
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
        }

    def test_unknown_scheme_is_a_clear_error(self):
        with pytest.raises(ImproperlyConfigured, match="not supported"):
            email_config("carrier-pigeon://loft")


class TestCacheUrl:
    def test_redis_url_uses_djangos_redis_cache(self):
        from django.core.cache.backends.redis import RedisCache

        config = cache_config("redis://127.0.0.1:6379/1")["default"]
        assert config["BACKEND"] == "lantern.cache.RedisCache"
        assert issubclass(import_string(config["BACKEND"]), RedisCache)
        assert config["LOCATION"] == "redis://127.0.0.1:6379/1"

    def test_empty_means_local_memory(self):
        assert cache_config("")["default"]["BACKEND"].endswith("LocMemCache")

    def test_unknown_scheme_is_a_clear_error(self):
        with pytest.raises(ImproperlyConfigured):
            cache_config("memcached://x")


class TestEnvHelpers:
    def test_bool_rejects_nonsense(self, monkeypatch):
        monkeypatch.setenv("LANTERN_FLAG", "maybe")
        with pytest.raises(ImproperlyConfigured, match="true or false"):
            env_bool("LANTERN_FLAG")

    def test_list_splits_on_commas(self, monkeypatch):
        monkeypatch.setenv("LANTERN_HOSTS", "a.example.org, b.example.org,,")
        assert env_list("LANTERN_HOSTS") == ["a.example.org", "b.example.org"]


class TestProductionSettings:
    def test_refuses_to_start_without_secret_key(self):
        result = run_manage("check", "--settings=lantern.settings.production")
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr

    @staticmethod
    def deploy_check(**env):
        return run_manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=lantern.settings.production",
            env={
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "lantern.example.org",
                "CACHE_URL": "redis://127.0.0.1:6379/0",
                **env,
            },
        )

    def test_deploy_check_passes_with_a_real_secret_and_signing_key(self):
        from courses.certificates import signing

        key = signing.private_key_multibase(signing.Ed25519PrivateKey.generate())
        result = self.deploy_check(CREDENTIAL_SIGNING_KEY=key)
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout

    def test_deploy_check_warns_without_a_credential_signing_key(self):
        result = self.deploy_check()
        assert result.returncode != 0
        assert "courses.W001" in result.stderr + result.stdout

    @pytest.mark.parametrize("cache_url", ["", "locmem://", "dummy://"])
    def test_refuses_to_start_without_a_shared_cache(self, cache_url):
        """Per-process caches would let each worker count rate limits alone."""
        result = run_manage(
            "check",
            "--settings=lantern.settings.production",
            env={
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "lantern.example.org",
                "CACHE_URL": cache_url,
            },
        )
        assert result.returncode != 0
        assert "CACHE_URL must name a Redis server" in result.stderr

    def test_two_factor_is_required_in_production_and_not_in_development(self):
        code = (
            "from django.conf import settings; "
            "print(settings.LANTERN_REQUIRE_TWO_FACTOR, settings.SESSION_COOKIE_AGE)"
        )
        env = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "lantern.example.org",
            "CACHE_URL": "redis://127.0.0.1:6379/0",
        }
        production = run_manage(
            "shell", "-c", code, "--settings=lantern.settings.production", env=env
        )
        development = run_manage("shell", "-c", code, "--settings=lantern.settings.dev")
        assert production.stdout.split()[-2] == "True", production.stderr
        assert development.stdout.split()[-2] == "False", development.stderr


class TestScaleOutSettings:
    """Settings for several app servers: sessions, the Redis task queue, cookies."""

    ENV = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lantern.example.org",
        "CACHE_URL": "redis://cache.internal:6379/0",
    }

    def production(self, code, **env):
        result = run_manage(
            "shell", "-c", code, "--settings=lantern.settings.production", env={**self.ENV, **env}
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def test_session_engine_names(self):
        from lantern.env import session_engine

        assert session_engine("cache") == "django.contrib.sessions.backends.cache"
        assert session_engine("db") == "django.contrib.sessions.backends.db"
        with pytest.raises(ImproperlyConfigured, match="SESSION_ENGINE must be one of"):
            session_engine("memcached")

    def test_sessions_stay_in_the_database_unless_told(self):
        code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
        assert self.production(code) == "django.contrib.sessions.backends.db"
        assert self.production(code, SESSION_ENGINE="cache").endswith("backends.cache")

    def test_cookies_are_secure_unless_turned_off_for_plain_http(self):
        code = (
            "from django.conf import settings; "
            "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
        )
        assert self.production(code) == "True True"
        assert (
            self.production(code, SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
            == "False False"
        )

    def test_redis_queue_uses_its_own_url_or_the_cache(self):
        code = (
            "from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], settings.RQ_QUEUES['default']['URL'], "
            "'django_rq' in settings.INSTALLED_APPS)"
        )
        rq = {"TASKS_BACKEND": "django_tasks_rq.RQBackend"}
        assert (
            self.production(code, **rq, TASKS_REDIS_URL="redis://queue.internal:6379/1")
            == "django_tasks_rq.RQBackend redis://queue.internal:6379/1 True"
        )
        assert self.production(code, **rq).split()[1] == "redis://cache.internal:6379/0"

    def test_database_queue_is_the_default(self):
        code = (
            "from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], 'django_rq' in settings.INSTALLED_APPS)"
        )
        assert self.production(code) == "django_tasks_db.DatabaseBackend False"
