"""Sign-up, login, logout, password change and reset, through the test client."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

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


class TestSignUpView:
    url = reverse("signup")

    def post(self, client, **changes):
        return client.post(self.url, {**GOOD_SIGNUP, **changes})

    def test_form_renders_with_labels(self, client):
        response = client.get(self.url)
        assert response.status_code == 200
        assert b'<label for="id_email"' in response.content

    def test_sign_up_creates_an_account_and_logs_in(self, client):
        response = self.post(client)
        assert response.status_code == 302
        assert response["Location"] == reverse("account")
        user = User.objects.get()
        assert user.email == "new.person@example.org"
        assert user.check_password("a-long-unusual-passphrase")
        page = client.get(reverse("account"))
        assert b"new.person@example.org" in page.content

    def test_taken_email_is_a_form_error_and_nothing_is_saved(self, client, learner):
        response = self.post(client, email="LEARNER@example.org")
        assert response.status_code == 400
        assert b"already exists" in response.content
        assert User.objects.count() == 1

    def test_weak_password_is_a_form_error(self, client):
        response = self.post(client, password1="password", password2="password")
        assert response.status_code == 400
        assert b"too common" in response.content or b"too short" in response.content
        assert not User.objects.exists()

    def test_mismatched_passwords(self, client):
        response = self.post(client, password2="another-long-passphrase")
        assert response.status_code == 400
        assert b"do not match" in response.content
        assert not User.objects.exists()

    @pytest.mark.parametrize("missing", ["email", "first_name", "password1", "password2"])
    def test_missing_field_is_a_form_error(self, client, missing):
        response = self.post(client, **{missing: ""})
        assert response.status_code == 400
        assert b"There is a problem" in response.content
        assert b"This field is required" in response.content
        assert not User.objects.exists()

    def test_next_is_followed_only_within_the_site(self, client):
        response = self.post(client, next="https://evil.example.com/")
        assert response["Location"] == reverse("account")
        client.logout()
        response = self.post(client, email="second@example.org", next="/support/")
        assert response["Location"] == "/support/"

    def test_get_never_creates_anything(self, client):
        client.get(self.url, GOOD_SIGNUP)
        assert not User.objects.exists()


class TestLoginLogout:
    def test_login_with_email_in_any_case(self, client, learner):
        response = client.post(
            reverse("login"), {"username": "Learner@Example.org", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert client.get(reverse("account")).status_code == 200

    def test_wrong_password_is_a_clear_error(self, client, learner):
        response = client.post(reverse("login"), {"username": learner.email, "password": "nope"})
        assert response.status_code == 200
        assert b"correct email address and password" in response.content

    def test_logout_is_post_only(self, client, learner):
        client.force_login(learner)
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(reverse("account")).status_code == 200
        client.post(reverse("logout"))
        assert client.get(reverse("account")).status_code == 302

    def test_account_page_needs_login(self, client):
        response = client.get(reverse("account"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


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


class TestPasswordChangeAndReset:
    def test_change_password(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a-brand-new-passphrase",
                "new_password2": "a-brand-new-passphrase",
            },
        )
        assert response.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password("a-brand-new-passphrase")

    def test_reset_by_email_link(self, client, learner):
        response = client.post(reverse("password_reset"), {"email": "LEARNER@example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body)
        assert link, mail.outbox[0].body
        form_page = client.get(link.group(1), follow=True)
        assert b"Choose a new password" in form_page.content
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "reset-long-passphrase", "new_password2": "reset-long-passphrase"},
        )
        assert done.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password("reset-long-passphrase")

    def test_reset_for_unknown_email_says_the_same_and_sends_nothing(self, client, db):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
        assert response.status_code == 302
        assert mail.outbox == []
