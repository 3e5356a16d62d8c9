"""The cohort page's summary figures, and the order of its members by name or email, cached.

The summary counts every member of a cohort (statuses, quizzes passed, valid certificates):
over 10,000 members it is by far the most expensive part of the cohort page, and it changes
only when someone's progress or the cohort's membership does, or when a due date or a
certificate's expiry passes. So it is kept in the cache under a key made of version tokens:

- one per cohort: a member joins or leaves, the cohort (its due date) or its members'
  enrolments are changed by `cohorts.services`;
- one per course: a lesson or the course is completed, an enrolment or a certificate is
  saved or deleted;
- one per quiz: an attempt is submitted.

Changing a token (when the change commits) makes every entry that used it unreachable; a
figure computed while a change was being committed is stored under the old token, so it is
never read. The members' order by name or email (a page of ids at a time) uses the cohort's
token and one for everybody's names and email addresses, changed whenever an account's name
or address may have changed, or an account is deleted.

An entry is also forgotten at the first moment the figures could change by
themselves (the next due date or certificate expiry among the members, the cohort's due
date), and after `MAX_AGE` seconds at most, for changes made without going through the ORM's
save and delete or the signals above (bulk updates in the admin or in tasks).
"""

import hashlib
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction

MAX_AGE = 120  # seconds
PREFIX = "lantern:cohort-summary"


def _version_key(kind, pk):
    return f"{PREFIX}:v:{kind}:{pk}"


def _bump(keys):
    """New tokens for these version keys, once the current transaction commits."""
    keys = list(keys)
    if keys:
        transaction.on_commit(lambda: cache.set_many({key: uuid.uuid4().hex for key in keys}, None))


def forget_cohort(cohort_id):
    _bump([_version_key("cohort", cohort_id)])


def forget_courses(course_ids):
    _bump(_version_key("course", pk) for pk in set(course_ids) if pk is not None)


def forget_quiz(quiz_id):
    _bump([_version_key("quiz", quiz_id)])


def forget_people():
    _bump([_version_key("people", "all")])


def _versions(keys):
    """The current token of each version key (one round trip; a missing one is created, so
    that an evicted token never brings back entries stored under an older one)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            cache.add(key, token, None)
            # Another request may have added one first; a cache that keeps nothing (the
            # dummy backend) gives None: then every request computes afresh.
            found[key] = cache.get(key) or token
    return [found[key] for key in keys]


def entry_key(cohort_id, course_id, quiz_ids):
    keys = [_version_key("cohort", cohort_id), _version_key("course", course_id)]
    keys += [_version_key("quiz", pk) for pk in quiz_ids]
    versions = _versions(keys)
    quizzes = ",".join(str(pk) for pk in quiz_ids)
    # Hashed: with several quizzes the tokens alone pass the 250 characters some caches allow.
    digest = hashlib.sha256(f"{quizzes}:{'.'.join(versions)}".encode()).hexdigest()
    return f"{PREFIX}:{cohort_id}:{course_id}:{digest}"


def order_key(cohort_id, sort):
    """The key prefix for pages of the cohort's member ids sorted by `sort` (name or
    email), with no filter."""
    versions = _versions([_version_key("cohort", cohort_id), _version_key("people", "all")])
    return f"{PREFIX}:order:{cohort_id}:{sort}:" + ".".join(versions)


def ids_page(key, queryset, start, stop):
    """queryset[start:stop] as a list of ids, from the cache when it holds it."""
    key = f"{key}:{start}:{stop}"
    ids = cache.get(key)
    if ids is None:
        ids = list(queryset[start:stop])
        cache.set(key, ids, MAX_AGE)
    return ids


def get(key, now):
    """The cached figures if they hold at `now`, else None."""
    entry = cache.get(key)
    if entry is None or not (entry["from"] <= now < entry["until"]):
        return None
    return entry["figures"]


def put(key, figures, now, until):
    """Keep `figures`, computed at `now`, until `until` (None: no boundary) or MAX_AGE."""
    latest = now + timedelta(seconds=MAX_AGE)
    until = latest if until is None else min(until, latest)
    seconds = (until - now).total_seconds()
    if seconds < 1:
        return
    cache.set(key, {"figures": figures, "from": now, "until": until}, int(seconds) + 1)


# --- Receivers (connected by courses.signal_handlers) ------------------------------------------


def on_progress(sender, enrolment, **kwargs):
    """lesson_completed, course_completed (sent after commit), unenrolled."""
    forget_courses([enrolment.course_id])


def on_recompute(sender, course_id, **kwargs):
    """progress_recomputed: a course's lessons changed and its progress was recomputed."""
    forget_courses([course_id])


def on_attempt(sender, attempt, **kwargs):
    """quizzes' attempt_submitted."""
    forget_quiz(attempt.quiz_id)


def on_course_row(sender, instance, **kwargs):
    """post_save / post_delete of an enrolment or a certificate."""
    forget_courses([instance.course_id])


def on_membership(sender, instance, **kwargs):
    """post_save / post_delete of a membership."""
    forget_cohort(instance.cohort_id)


def on_cohort(sender, instance, **kwargs):
    """post_save of a cohort (its due date, its courses)."""
    forget_cohort(instance.pk)


def on_cohort_courses(sender, instance, reverse, pk_set, **kwargs):
    """m2m_changed on Cohort.courses."""
    if reverse:
        forget_courses([instance.pk])
    else:
        forget_cohort(instance.pk)


def on_person(sender, instance, update_fields=None, **kwargs):
    """post_save / post_delete of an account: names and addresses order the members (a save
    of other fields only, such as the time of the last sign-in, changes neither)."""
    if update_fields is not None and not set(update_fields) & {"first_name", "last_name", "email"}:
        return
    forget_people()


def connect():
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from courses.models import Certificate, Cohort, CohortMembership, Enrolment
    from courses.signals import (
        course_completed,
        lesson_completed,
        progress_recomputed,
        unenrolled,
    )
    from quizzes.signals import attempt_submitted

    uid = "courses_cohort_summary"
    lesson_completed.connect(on_progress, dispatch_uid=f"{uid}_lesson")
    course_completed.connect(on_progress, dispatch_uid=f"{uid}_course")
    unenrolled.connect(on_progress, dispatch_uid=f"{uid}_unenrolled")
    progress_recomputed.connect(on_recompute, dispatch_uid=f"{uid}_recomputed")
    attempt_submitted.connect(on_attempt, dispatch_uid=f"{uid}_attempt")
    for model in (Enrolment, Certificate):
        for signal in (post_save, post_delete):
            signal.connect(on_course_row, sender=model, dispatch_uid=f"{uid}_{model.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(on_membership, sender=CohortMembership, dispatch_uid=f"{uid}_member")
    for signal in (post_save, post_delete):
        signal.connect(on_person, sender=get_user_model(), dispatch_uid=f"{uid}_person")
    post_save.connect(on_cohort, sender=Cohort, dispatch_uid=f"{uid}_cohort")
    m2m_changed.connect(
        on_cohort_courses, sender=Cohort.courses.through, dispatch_uid=f"{uid}_courses"
    )
