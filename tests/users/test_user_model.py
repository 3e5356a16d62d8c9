import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

User = get_user_model()
pytestmark = pytest.mark.django_db


class TestUserModel:
    def test_email_is_the_login_and_is_stored_lower_case(self):
        user = User.objects.create_user("  Sam.Jones@Example.ORG ", "pw-long-enough-1")
        assert user.email == "sam.jones@example.org"
        assert User.USERNAME_FIELD == "email"
        assert not hasattr(user, "username") or user.username is None

    def test_one_account_per_address_whatever_the_case(self):
        User.objects.create_user("sam@example.org", "pw-long-enough-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create_user("SAM@example.org", "pw-long-enough-1")
        assert User.objects.count() == 1

    def test_case_insensitive_constraint_holds_even_when_save_is_bypassed(self):
        User.objects.create_user("sam@example.org", "pw-long-enough-1")
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.bulk_create([User(email="Sam@Example.org")])

    def test_create_superuser_sets_flags(self):
        admin = User.objects.create_superuser("boss@example.org", "pw-long-enough-1")
        assert admin.is_staff and admin.is_superuser

    def test_certificate_name_falls_back_to_full_name(self):
        user = User(email="a@example.org", first_name="José", last_name="Müller")
        assert user.certificate_name == "José Müller"
        user.name_on_certificate = "Dr José Müller-Ramírez"
        assert user.certificate_name == "Dr José Müller-Ramírez"
