"""Upload previews: a manager's parsed CSV waits here between the upload and the confirmation.

Not in the session (a 10,000-row preview would then be loaded with every later request of that
manager): it is kept under a random token in temporary storage, the cache or files, like
Wagtail's redirect imports (`wagtail.contrib.redirects.tmp_storages`). `LANTERN_UPLOAD_STORAGE`
chooses: "cache" (the default; Redis in production, shared by every worker) or "file" (a
directory on local disk, for a single server without a shared cache).

A token is bound to its cohort and its manager and expires after `UPLOAD_TTL_SECONDS`. Each
manager keeps at most `UPLOADS_KEPT` previews, one per cohort: a new upload replaces the
previous preview of the same cohort.
"""

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.core.cache import cache

from courses import conf

UPLOAD_TTL_SECONDS = 60 * 60
UPLOADS_KEPT = 3  # previews kept per manager at most (each can hold 10,000 rows)
KEY_PREFIX = "lantern:cohort-upload"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class CacheStorage:
    """Entries in Django's cache, expiring with it."""

    def get(self, key):
        return cache.get(key)

    def set(self, key, value):
        cache.set(key, value, UPLOAD_TTL_SECONDS)

    def delete(self, key):
        cache.delete(key)


class FileStorage:
    """Entries as JSON files in one directory; expired files are removed as new ones arrive."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def _path(self, key):
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, key):
        path = self._path(key)
        try:
            if time.time() - path.stat().st_mtime >= UPLOAD_TTL_SECONDS:
                path.unlink(missing_ok=True)
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def set(self, key, value):
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._remove_expired()
        path = self._path(key)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(value), encoding="utf-8")
        os.replace(temporary, path)  # readers never see half a file

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def _remove_expired(self):
        cutoff = time.time() - UPLOAD_TTL_SECONDS
        for path in self.directory.glob("*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass


def storage():
    """The configured storage (read each time, so settings can change in tests)."""
    if conf.upload_storage() == "file":
        return FileStorage(conf.upload_directory() or Path(tempfile.gettempdir()) / "lantern")
    return CacheStorage()


def _entry_key(token):
    return f"{KEY_PREFIX}:{token}"


def _index_key(user_id):
    return f"{KEY_PREFIX}:user:{user_id}"


def _fresh(created, now):
    return now - created < UPLOAD_TTL_SECONDS


def save(cohort, user, parsed, filename):
    """Keep the validated rows under a new random token and return the token. Replaces the
    manager's earlier preview of this cohort, drops expired ones, keeps at most UPLOADS_KEPT."""
    store = storage()
    now = int(time.time())
    index = [
        item
        for item in store.get(_index_key(user.pk)) or []
        if _fresh(item["created"], now) and item["cohort"] != str(cohort.public_id)
    ]
    index.sort(key=lambda item: item["created"])
    while len(index) >= UPLOADS_KEPT:
        store.delete(_entry_key(index.pop(0)["token"]))
    for item in store.get(_index_key(user.pk)) or []:
        if item not in index:
            store.delete(_entry_key(item["token"]))
    token = secrets.token_urlsafe(18)
    store.set(
        _entry_key(token),
        {
            "cohort": str(cohort.public_id),
            "user": user.pk,
            "created": now,
            "filename": (filename or "")[:120],
            "encoding": parsed.encoding,
            "delimiter": parsed.delimiter_name,
            "has_names": parsed.has_names,
            "ignored": parsed.ignored_columns[:10],
            "rows": [row.as_list() for row in parsed.rows],
        },
    )
    index.append({"token": token, "cohort": str(cohort.public_id), "created": now})
    store.set(_index_key(user.pk), index)
    return token


def load(cohort, user, token):
    """The preview for this token if it belongs to this cohort and this manager and has not
    expired; otherwise None."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    entry = storage().get(_entry_key(token))
    if (
        not isinstance(entry, dict)
        or entry.get("cohort") != str(cohort.public_id)
        or entry.get("user") != user.pk
        or not _fresh(entry.get("created", 0), int(time.time()))
    ):
        return None
    return entry


def discard(user, token):
    """Forget a preview (after it was added): its token cannot be used again."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return
    store = storage()
    store.delete(_entry_key(token))
    index = store.get(_index_key(user.pk)) or []
    kept = [item for item in index if item["token"] != token]
    if len(kept) != len(index):
        store.set(_index_key(user.pk), kept)


def tokens_kept(user):
    """The tokens of the manager's previews that have not expired, oldest first."""
    now = int(time.time())
    index = storage().get(_index_key(user.pk)) or []
    return [item["token"] for item in index if _fresh(item["created"], now)]
