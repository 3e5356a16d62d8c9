"""Receivers of the users app, connected in UsersConfig.ready()."""

import time

from courses import audit

from .middleware import LAST_SEEN_KEY

SECOND_FACTORS = {"totp", "webauthn"}


def start_idle_clock(sender, request, user, **kwargs):
    """user_logged_in: the idle timeout counts from the login (and the first page after it
    need not write the session)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


def record_second_factor_added(sender, request, user, authenticator, **kwargs):
    """allauth's authenticator_added: turning on an authenticator app or a security key goes
    in the audit log (recovery codes come with them and are not recorded apart)."""
    if authenticator.type in SECOND_FACTORS:
        audit.record(user, audit.MFA_ENABLED, user, method=authenticator.type)


def record_second_factor_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type in SECOND_FACTORS:
        audit.record(user, audit.MFA_DISABLED, user, method=authenticator.type)


def connect():
    from allauth.mfa.signals import authenticator_added, authenticator_removed
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(start_idle_clock, dispatch_uid="users_start_idle_clock")
    authenticator_added.connect(record_second_factor_added, dispatch_uid="users_mfa_added")
    authenticator_removed.connect(record_second_factor_removed, dispatch_uid="users_mfa_removed")
