"""Session and sign-in rules that hold on every request."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "lantern_last_seen"
# Refresh the stored time at most this often, so that reading pages does not write the
# session on every request.
TOUCH_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    """Logs a person out after LANTERN_SESSION_IDLE_SECONDS without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            idle_limit = settings.LANTERN_SESSION_IDLE_SECONDS
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)
                messages.info(request, _("You were logged out after a period without activity."))
            elif last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def needs_second_factor(user):
    """Staff, editors, reviewers (anyone who reaches the admin) and organisation managers."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or user.has_perm("wagtailadmin.access_admin")
        or user.managed_organisations.exists()
    )


def has_second_factor(user):
    """An authenticator app or a security key (recovery codes alone do not count)."""
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


class RequireTwoFactorMiddleware:
    """With LANTERN_REQUIRE_TWO_FACTOR on, people who can see others' records must turn on
    two-factor sign-in before they reach the admin or the manager area."""

    protected_prefixes = ("/admin/", "/manage/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.LANTERN_REQUIRE_TWO_FACTOR
            and request.path.startswith(self.protected_prefixes)
            and needs_second_factor(request.user)
            and not has_second_factor(request.user)
        ):
            messages.warning(
                request,
                _(
                    "Turn on two-factor sign-in to continue. Your role lets you see other "
                    "people's records, so your account needs more than a password."
                ),
            )
            return redirect(reverse("mfa_index"))
        return self.get_response(request)
