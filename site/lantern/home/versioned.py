"""Cached values that every app server forgets at once: each value is stored with the
version token it was worked out under, and a change sets a new token. A reader fetches the
token and the value in the same round trip (`read`) and uses the value only if the tokens
match; anything else is worked out again and stored under the current token.

A token is a random string, created when missing: a token evicted from the cache and created
again never matches a value stored under an older one.
"""

import uuid

from django.core.cache import cache


def _new_token():
    return uuid.uuid4().hex


def current(version_key):
    """The current token (created if missing)."""
    token = cache.get(version_key)
    if token is None:
        cache.add(version_key, _new_token(), None)
        # Another server may have added one first; a cache that keeps nothing (the dummy
        # backend) gives None, and then nothing cached is ever used.
        token = cache.get(version_key)
    return token


def bump(version_key):
    """Forget every value stored under this version key's current token."""
    cache.set(version_key, _new_token(), None)


def fresh(found, version_key, key):
    """The value at `key` in a `cache.get_many` result that also read `version_key`, or None
    when it is missing or was stored under another token."""
    token = found.get(version_key)
    entry = found.get(key)
    if token is None or not isinstance(entry, tuple) or len(entry) != 2 or entry[0] != token:
        return None
    return entry[1]


def store(version_key, key, value, timeout, token=None):
    """Store `value` at `key` under the current token (or `token`, read before the value was
    worked out: a change made meanwhile then makes the entry stale at once)."""
    token = token if token is not None else current(version_key)
    if token is not None:
        cache.set(key, (token, value), timeout)


def get_or_compute(version_key, key, compute, timeout):
    """The fresh value at `key`, else `compute()` stored under the token read first."""
    found = cache.get_many([version_key, key])
    value = fresh(found, version_key, key)
    if value is None:
        token = found.get(version_key) or current(version_key)
        value = compute()
        store(version_key, key, value, timeout, token=token)
    return value
