"""Receivers of the users app, connected in UsersConfig.ready()."""

import time

from .middleware import LAST_SEEN_KEY


def start_idle_clock(sender, request, user, **kwargs):
    """user_logged_in: the idle timeout counts from the login (and the first page after it
    need not write the session)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


def connect():
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(start_idle_clock, dispatch_uid="users_start_idle_clock")
