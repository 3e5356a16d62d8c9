"""Sign-up with email verification, login throttling, sessions, password change and reset,
through the test client and django-allauth's real views."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from courses.identity import email_verified
from lantern.users.middleware import LAST_SEEN_KEY
from tests.conftest import PASSWORD

User = get_user_model()
pytestmark = pytest.mark.django_db

GOOD_SIGNUP = {
    "email": "new.person@example.org",
    "first_name": "Nokuthula",
    "last_name": "Ngʼombo-Ramírez",
    "name_on_certificate": "",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/account/confirm-email/[^/\s]+/)")


def login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


class TestSignUpView:
    url = reverse("account_signup")

    def post(self, client, **changes):
        return client.post(self.url, {**GOOD_SIGNUP, **changes})

    def test_form_renders_with_labels(self, client):
        response = client.get(self.url)
        assert response.status_code == 200
        for field in ["email", "first_name", "password1"]:
            assert f'<label for="id_{field}"'.encode() in response.content

    def test_sign_up_creates_an_unverified_account_and_sends_a_confirmation(self, client):
        response = self.post(client)
        assert response.status_code == 302
        assert response["Location"] == reverse("account")  # where confirming is explained
        user = User.objects.get()
        assert user.email == "new.person@example.org"
        assert user.first_name == "Nokuthula"
        assert user.check_password("a-long-unusual-passphrase")
        assert not email_verified(user)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["new.person@example.org"]
        assert CONFIRM_LINK.search(mail.outbox[0].body)
        # Logged in, and able to learn at once.
        assert client.get(reverse("account")).status_code == 200

    def test_confirmation_link_verifies_only_on_post(self, client):
        self.post(client)
        path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
        user = User.objects.get()
        assert client.get(path).status_code == 200
        assert not EmailAddress.objects.get(user=user).verified
        client.post(path)
        assert EmailAddress.objects.get(user=user).verified
        user.refresh_from_db()
        assert email_verified(user)

    def test_taken_email_is_a_form_error_and_the_account_is_untouched(self, client, learner):
        response = self.post(client, email="LEARNER@example.org")
        assert response.status_code == 200
        assert b"already registered with this email address" in response.content
        assert User.objects.count() == 1
        assert "_auth_user_id" not in client.session
        assert login(client, "learner@example.org").status_code == 302

    def test_weak_password_is_a_form_error(self, client):
        response = self.post(client, password1="password", password2="password")
        assert response.status_code == 200
        assert b"too common" in response.content or b"too short" in response.content
        assert not User.objects.exists()

    def test_mismatched_passwords(self, client):
        response = self.post(client, password2="another-long-passphrase")
        assert b"same password" in response.content
        assert not User.objects.exists()

    @pytest.mark.parametrize("missing", ["email", "first_name", "password1", "password2"])
    def test_missing_field_is_a_form_error(self, client, missing):
        response = self.post(client, **{missing: ""})
        assert b"There is a problem" in response.content
        assert b"This field is required" in response.content
        assert not User.objects.exists()

    def test_next_is_followed_only_within_the_site(self, client):
        response = self.post(client, next="https://evil.example.com/")
        assert "evil.example.com" not in response["Location"]
        client.logout()
        response = self.post(client, email="second@example.org", next="/support/")
        assert response["Location"] == "/support/"

    def test_get_never_creates_anything(self, client):
        client.get(self.url, GOOD_SIGNUP)
        assert not User.objects.exists()


class TestLoginLogout:
    def test_login_with_email_in_any_case_lands_on_my_learning(self, client, learner):
        response = login(client, "Learner@Example.org")
        assert response.status_code == 302
        assert response["Location"] == reverse("courses:dashboard")
        assert client.get(reverse("account")).status_code == 200

    def test_login_follows_a_local_next_only(self, client, learner):
        response = login(client, learner.email, next="/support/")
        assert response["Location"] == "/support/"
        client.logout()
        response = login(client, learner.email, next="https://evil.example.com/")
        assert response["Location"] == reverse("courses:dashboard")

    def test_wrong_password_is_a_clear_error(self, client, learner):
        response = login(client, learner.email, "nope")
        assert response.status_code == 200
        assert b"email address and/or password you specified are not correct" in response.content

    def test_eleventh_wrong_password_locks_the_account_even_with_the_right_one(
        self, client, learner
    ):
        for _ in range(10):
            assert login(client, learner.email, "wrong-guess").status_code == 200
        response = login(client, learner.email)
        assert "_auth_user_id" not in client.session
        assert response.status_code in {200, 429}
        assert b"Too many failed login attempts" in response.content

    def test_one_locked_account_does_not_lock_its_building(self, client, make_user, learner):
        """Schools and police stations share one address: a colleague still gets in."""
        colleague = make_user("colleague@example.org")
        for _ in range(12):
            login(client, learner.email, "wrong-guess")
        assert login(client, colleague.email).status_code == 302

    def test_logout_is_post_only(self, client, learner):
        client.force_login(learner)
        client.get(reverse("account_logout"))
        assert client.get(reverse("account")).status_code == 200
        client.post(reverse("account_logout"))
        assert client.get(reverse("account")).status_code == 302

    def test_account_page_needs_login(self, client):
        response = client.get(reverse("account"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_login_page_offers_shared_device_not_remember_me(self, client):
        page = client.get(reverse("account_login")).content.decode()
        assert "This is a shared device" in page
        assert "Remember" not in page


class TestSessions:
    def test_shared_device_session_ends_with_the_browser(self, client, learner):
        login(client, learner.email, shared_device="on")
        assert client.session.get_expire_at_browser_close()

    def test_own_device_session_outlives_the_browser(self, client, learner):
        login(client, learner.email)
        assert not client.session.get_expire_at_browser_close()

    def test_idle_session_is_logged_out(self, client, learner, settings):
        login(client, learner.email)
        assert client.get(reverse("account")).status_code == 200
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) - settings.LANTERN_SESSION_IDLE_SECONDS - 5
        session.save()
        response = client.get(reverse("account"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session

    def test_active_session_stays(self, client, learner, settings):
        login(client, learner.email)
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) - settings.LANTERN_SESSION_IDLE_SECONDS + 60
        session.save()
        assert client.get(reverse("account")).status_code == 200


class TestAdminLogin:
    def test_wagtail_login_goes_through_the_site_login(self, client):
        response = client.get("/admin/login/?next=/admin/pages/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "next=/admin/pages/" in response["Location"]

    def test_admin_password_form_cannot_be_posted_to(self, client, make_user):
        make_user("editor@example.org", is_staff=True, is_superuser=True)
        client.post("/admin/login/", {"username": "editor@example.org", "password": PASSWORD})
        assert "_auth_user_id" not in client.session

    def test_admin_redirects_anonymous_people_to_the_site_login(self, client):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


class TestAccountView:
    def test_update_name_on_certificate(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("account"),
            {"first_name": "Lena", "last_name": "Novak", "name_on_certificate": "Łucja Żółć"},
        )
        assert response.status_code == 302
        learner.refresh_from_db()
        assert learner.certificate_name == "Łucja Żółć"

    def test_cannot_change_email_or_privileges_through_the_form(self, client, learner):
        client.force_login(learner)
        client.post(
            reverse("account"),
            {
                "first_name": "Lena",
                "email": "x@example.org",
                "is_staff": "on",
                "is_superuser": "on",
            },
        )
        learner.refresh_from_db()
        assert learner.email == "learner@example.org"
        assert not learner.is_staff and not learner.is_superuser

    def test_unverified_account_is_asked_to_confirm(self, client, make_user):
        person = make_user("unsure@example.org", verified=False)
        client.force_login(person)
        assert b"Please confirm your email address" in client.get(reverse("account")).content


class TestPasswordChangeAndReset:
    def test_change_password(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "a-brand-new-passphrase",
                "password2": "a-brand-new-passphrase",
            },
        )
        assert response.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password("a-brand-new-passphrase")

    def test_reset_by_email_link(self, client, learner):
        response = client.post(reverse("account_reset_password"), {"email": "LEARNER@example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", mail.outbox[0].body)
        assert link, mail.outbox[0].body
        form_page = client.get(link.group(1), follow=True)
        assert form_page.status_code == 200
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"password1": "reset-long-passphrase", "password2": "reset-long-passphrase"},
        )
        assert done.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password("reset-long-passphrase")

    def test_reset_for_unknown_email_says_the_same_and_tells_no_one(self, client, learner):
        known = client.post(reverse("account_reset_password"), {"email": learner.email})
        mail.outbox.clear()
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
        assert unknown.status_code == known.status_code == 302
        assert unknown["Location"] == known["Location"]
        assert mail.outbox == []

    def test_twenty_reset_requests_send_at_most_three_emails(self, client, learner):
        for _ in range(20):
            client.post(reverse("account_reset_password"), {"email": learner.email})
        assert 1 <= len(mail.outbox) <= 3
