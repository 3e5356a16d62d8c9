"""Two-factor sign-in: anyone can turn it on; staff, editors, reviewers and organisation
managers must, before they reach the admin or the manager area, when the setting is on."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def totp_code(secret, at=None):
    """RFC 6238 (30-second steps, 6 digits, SHA-1), as an authenticator app computes it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def enrol_totp(client):
    """Turn on TOTP through the real pages, as a person with an authenticator app would."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # changing security settings asks for the password again
        assert page["Location"].startswith(reverse("account_reauthenticate"))
        confirmed = client.post(page["Location"], {"password": PASSWORD})
        assert confirmed.status_code == 302, confirmed.content
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return secret


@pytest.fixture
def manager(make_user):
    return make_user("manager@example.org", first_name="Mina", last_name="Ager")


@pytest.fixture
def editor(make_user):
    user = make_user("editor@example.org", first_name="Edi", last_name="Tor")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


class TestTurningItOn:
    def test_a_learner_can_turn_on_totp_and_then_needs_a_code(self, client, learner):
        sign_in(client, learner)
        secret = enrol_totp(client)
        assert Authenticator.objects.filter(user=learner, type="totp").exists()
        client.logout()

        response = client.post(
            reverse("account_login"), {"login": learner.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session  # the password alone is not enough

        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
        right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert right.status_code == 302
        assert client.session["_auth_user_id"] == str(learner.pk)

    def test_recovery_codes_come_with_totp_and_each_works_once(self, client, learner):
        sign_in(client, learner)
        enrol_totp(client)
        recovery = Authenticator.objects.get(user=learner, type="recovery_codes")
        code = recovery.wrap().get_unused_codes()[0]
        client.logout()
        for expected_in in (True, False):
            client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
            client.post(reverse("mfa_authenticate"), {"code": code})
            assert ("_auth_user_id" in client.session) is expected_in
            client.logout()


class TestRequiredForPrivilegedRoles:
    @pytest.fixture(autouse=True)
    def required(self, settings):
        settings.LANTERN_REQUIRE_TWO_FACTOR = True

    def test_editor_without_second_factor_is_sent_to_turn_it_on(self, client, editor):
        client.force_login(editor)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_index")
        assert client.get(reverse("mfa_index")).status_code == 200

    def test_manager_without_second_factor_cannot_reach_the_manager_area(self, client, manager):
        factories.make_organisation(name="Eastfield Schools", managers=[manager])
        client.force_login(manager)
        response = client.get(reverse("courses:manage"))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_index")

    def test_editor_with_totp_reaches_the_admin(self, client, editor):
        sign_in(client, editor)
        enrol_totp(client)
        assert client.get("/admin/").status_code == 200

    def test_learners_are_not_asked(self, client, learner, course):
        client.force_login(learner)
        assert client.get(reverse("courses:dashboard")).status_code == 200
        assert client.get(course[0].url).status_code == 200

    def test_off_by_default_in_development(self, client, editor, settings):
        settings.LANTERN_REQUIRE_TWO_FACTOR = False
        client.force_login(editor)
        assert client.get("/admin/").status_code == 200


class TestRecordedAndExported:
    def test_turning_two_factor_on_and_off_is_in_the_audit_log(
        self, client, editor, settings, django_capture_on_commit_callbacks
    ):
        """allauth announces the change once the transaction commits. (Its notification
        email needs the request, which is over by the time a test runs the callbacks.)"""
        from wagtail.models import ModelLogEntry

        from courses import audit

        settings.ACCOUNT_EMAIL_NOTIFICATIONS = False
        sign_in(client, editor)
        with django_capture_on_commit_callbacks(execute=True):
            enrol_totp(client)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302
        assert not Authenticator.objects.filter(user=editor, type="totp").exists()
        actions = list(
            ModelLogEntry.objects.filter(user=editor)
            .exclude(action=audit.ADMIN_LOGIN)
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == [audit.MFA_ENABLED, audit.MFA_DISABLED]

    def test_download_my_data_lists_methods_but_never_secrets(self, client, learner):
        import json

        sign_in(client, learner)
        secret = enrol_totp(client)
        response = client.get(reverse("download_my_data"))
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        profile = json.loads(raw)["profile"]
        assert {m["type"] for m in profile["two_factor_methods"]} == {"totp", "recovery_codes"}
        assert profile["email_addresses"] == [
            {"email": learner.email, "verified": True, "primary": True}
        ]
        assert secret not in raw.decode()
        codes = Authenticator.objects.get(user=learner, type="recovery_codes").wrap()
        assert not any(code in raw.decode() for code in codes.get_unused_codes())
