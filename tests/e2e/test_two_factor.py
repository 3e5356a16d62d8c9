"""Two-factor sign-in in a real browser: a staff member required to use it turns it on with an
authenticator app, and from then on signs in to the admin with a code."""

import re
import time

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.e2e.test_site import PASSWORD
from tests.users.test_two_factor import totp_code


@pytest.fixture
def staff_member(page, settings):
    settings.LANTERN_REQUIRE_TWO_FACTOR = True
    factories.make_home_page()
    user = get_user_model().objects.create_superuser(
        email="registrar@example.org", password=PASSWORD, first_name="Rae"
    )
    return factories.verify_email(user)


def sign_in_with_password(page, email, next_url="/admin/"):
    page.goto(next_url)
    page.wait_for_url(re.compile(r".*/account/login/.*"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_turn_on_totp_then_sign_in_with_a_code(page, staff_member, assert_accessible):
    # Required: the admin sends them to turn it on first.
    sign_in_with_password(page, staff_member.email)
    page.wait_for_url("**/account/2fa/")
    assert "Turn on two-factor sign-in to continue" in page.locator("main").inner_text()

    page.goto("/account/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:  # security changes ask for the password again
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url("**/account/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    first_code = totp_code(secret)
    page.locator("input[name=code]").fill(first_code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/account/2fa/.*"))
    page.goto("/admin/")
    page.wait_for_url("**/admin/")
    assert page.locator("h1").first.is_visible()

    # Signing in again now asks for a code after the password.
    page.context.clear_cookies()
    sign_in_with_password(page, staff_member.email)
    page.wait_for_url("**/account/2fa/authenticate/")
    assert_accessible(page)
    page.locator("input[name=code]").fill("000000")
    page.locator("main form button[type=submit]").first.click()
    assert "/2fa/authenticate/" in page.url  # a wrong code gets nowhere
    # A code works once: if the step has not moved on since enrolling, wait for the next one.
    while (code := totp_code(secret)) == first_code:
        time.sleep(1)
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/admin/", timeout=15_000)
    assert "/account/login/" not in page.url
