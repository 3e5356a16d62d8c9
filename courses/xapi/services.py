"""Queue xAPI statements when learners enrol, learn, take quizzes and earn certificates, and
send them to learning record stores: the site's (XAPI_ENDPOINT) and, for members of their
cohorts, an organisation's own.

- Statements are rows (`XapiStatement`), written in the same transaction as nothing else: a
  failure to queue never fails what the learner did, and sending never happens in a request
  (the `send_xapi` task runs in the worker).
- Per store, statements go in the order they were queued, in batches; a failed batch is retried
  with a growing delay and nothing after it is sent first, so each learner's statements arrive
  in order. A lock per store (in the shared cache) keeps two workers from interleaving.
- An organisation's store gets statements only about its cohorts' courses, for members (who
  accepted or joined by link), from when they joined: what its managers may see, as a record.
  It never gets "experienced" (reading) statements or quiz scores, only passed or failed.
"""

import base64
import functools
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from courses import conf
from courses.models import Organisation, XapiAgent, XapiStatement
from courses.models.xapi import SITE_DESTINATION
from courses.xapi import statements as st

logger = logging.getLogger(__name__)
LOCK_SECONDS = 300
TIMEOUT_SECONDS = 10


STORES_CACHE_KEY = "lantern:xapi-organisation-stores"


def enabled():
    """Whether any store could receive statements: no query on a site without one (the
    organisations' flag is cached and forgotten when an organisation changes)."""
    if conf.xapi_endpoint():
        return True
    return cache.get_or_set(
        STORES_CACHE_KEY,
        lambda: Organisation.objects.exclude(xapi_endpoint="").exists(),
        24 * 60 * 60,
    )


def forget_stores():
    cache.delete(STORES_CACHE_KEY)


def _agent_name(user):
    agent, _ = XapiAgent.objects.get_or_create(user=user)
    return agent.name


def destinations(user, course, at):
    """[(destination, organisation or None)] for a statement about `user` in `course`."""
    found = []
    if conf.xapi_endpoint():
        found.append((SITE_DESTINATION, None))
    if course is not None:
        organisations = (
            Organisation.objects.exclude(xapi_endpoint="")
            .filter(
                cohorts__courses=course,
                cohorts__memberships__user=user,
                cohorts__memberships__joined_at__lte=at,
            )
            .distinct()
        )
        found += [(f"org:{organisation.pk}", organisation) for organisation in organisations]
    return found


def _for_organisation(statement):
    """What an organisation's store may hold: no score, only success and completion."""
    result = statement.get("result")
    if result:
        statement = {
            **statement,
            "result": {k: v for k, v in result.items() if k in ("success", "completion")},
        }
    return statement


def queue(
    user, key, verb, obj, timestamp, *, course=None, context=None, result=None, site_only=False
):
    """Queue one statement for every store that should have it; returns how many rows."""
    if user is None or not enabled():
        return 0
    targets = destinations(user, None if site_only else course, timestamp)
    if not targets:
        return 0
    base = st.build(key, verb, obj, timestamp, context=context, result=result)
    name = _agent_name(user)
    rows = []
    for destination, organisation in targets:
        statement = {
            "actor": st.actor(user, name, bool(organisation and organisation.xapi_send_email))
        }
        statement.update(base if organisation is None else _for_organisation(base))
        rows.append(
            XapiStatement(
                statement_id=uuid.UUID(base["id"]),
                destination=destination,
                user=user,
                statement=statement,
                created_at=timezone.now(),
            )
        )
    XapiStatement.objects.bulk_create(rows, ignore_conflicts=True)
    schedule_delivery()
    return len(rows)


def schedule_delivery():
    """Send what is queued from the worker, once this transaction commits."""
    from courses.xapi.tasks import send_xapi

    transaction.on_commit(send_xapi.enqueue)


# --- the events ---------------------------------------------------------------------------


def _when_enabled(event):
    """Skip the event (before it loads anything) when no store could receive it."""

    @functools.wraps(event)
    def wrapper(*args, **kwargs):
        if enabled():
            event(*args, **kwargs)

    return wrapper


@_when_enabled
def enrolled(enrolment):
    course = enrolment.course
    queue(
        enrolment.user,
        f"registered/{enrolment.pk}",
        "registered",
        st.activity("course", course.pk, course.title),
        enrolment.enrolled_at,
        course=course,
        context={"registration": st.registration(enrolment), "platform": "Lantern"},
    )


@_when_enabled
def lesson_first_opened(enrolment, lesson):
    queue(
        enrolment.user,
        f"experienced/{enrolment.pk}/{lesson.pk}",
        "experienced",
        st.activity("lesson", lesson.pk, lesson.title),
        timezone.now(),
        course=enrolment.course,
        context=st.course_context(enrolment),
        site_only=True,
    )


@_when_enabled
def lesson_completed(enrolment, lesson):
    queue(
        enrolment.user,
        f"completed-lesson/{enrolment.pk}/{lesson.pk}",
        "completed",
        st.activity("lesson", lesson.pk, lesson.title),
        timezone.now(),
        course=enrolment.course,
        context=st.course_context(enrolment),
        result={"completion": True},
    )


@_when_enabled
def course_completed(enrolment):
    course = enrolment.course
    queue(
        enrolment.user,
        f"completed-course/{enrolment.pk}",
        "completed",
        st.activity("course", course.pk, course.title),
        enrolment.completed_at or timezone.now(),
        course=course,
        context={"registration": st.registration(enrolment), "platform": "Lantern"},
        result={"completion": True},
    )


def _quiz_enrolments(user, quiz):
    """The learner's current enrolments in courses whose lessons hold the quiz."""
    from courses.learning.quiz_link import lessons_holding

    found = []
    for _lesson, enrolment in lessons_holding(user, quiz):
        if enrolment not in found:
            found.append(enrolment)
    return found


def _quiz_statements(user, quiz, key, verb, moment, result=None):
    obj = st.activity("assessment", quiz.pk, quiz.title)
    enrolments = _quiz_enrolments(user, quiz)
    if not enrolments:
        queue(user, key, verb, obj, moment, result=result)
    for enrolment in enrolments:
        queue(
            user,
            f"{key}/{enrolment.pk}",
            verb,
            obj,
            moment,
            course=enrolment.course,
            context=st.course_context(enrolment),
            result=result,
        )


@_when_enabled
def attempt_started(attempt, user, quiz):
    _quiz_statements(user, quiz, f"attempted/{attempt.pk}", "attempted", attempt.started_at)


@_when_enabled
def attempt_submitted(attempt, user, quiz, passed):
    result = {"success": bool(passed), "completion": True}
    if attempt.max_score:
        result["score"] = {
            "raw": attempt.score or 0,
            "min": 0,
            "max": attempt.max_score,
            "scaled": round((attempt.score or 0) / attempt.max_score, 4),
        }
    if attempt.submitted_at and attempt.started_at:
        seconds = int((attempt.submitted_at - attempt.started_at).total_seconds())
        result["duration"] = f"PT{max(seconds, 0)}S"
    _quiz_statements(
        user,
        quiz,
        f"{'passed' if passed else 'failed'}/{attempt.pk}",
        "passed" if passed else "failed",
        attempt.submitted_at or timezone.now(),
        result=result,
    )


def _certificate_activity(certificate):
    return st.activity("certificate", certificate.pk, f"Certificate: {certificate.course_title}")


@_when_enabled
def certificate_issued(certificate):
    queue(
        certificate.user,
        f"earned/{certificate.pk}",
        "earned",
        _certificate_activity(certificate),
        certificate.issued_at,
        course=certificate.course,
    )


@_when_enabled
def certificate_revoked(certificate):
    queue(
        certificate.user,
        f"revoked/{certificate.pk}/{certificate.revoked_at.isoformat()}",
        "revoked",
        _certificate_activity(certificate),
        certificate.revoked_at,
        course=certificate.course,
    )


# --- sending ------------------------------------------------------------------------------


def backoff(attempts):
    """30 s, 1 min, 2 min … up to 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 60 * 60))


def store_for(destination):
    """(statements URL, username, password) of a destination, or None if it has none now."""
    if destination == SITE_DESTINATION:
        endpoint = conf.xapi_endpoint()
        username, password = conf.xapi_credentials()
    else:
        organisation = Organisation.objects.filter(pk=destination.removeprefix("org:")).first()
        if organisation is None:
            return None
        endpoint = organisation.xapi_endpoint
        username, password = organisation.xapi_username, organisation.xapi_password
    if not endpoint:
        return None
    return endpoint.rstrip("/") + "/statements", username, password


def post_statements(url, username, password, statements):
    """POST a batch; returns the HTTP status. Raises on network errors."""
    request = urllib.request.Request(  # noqa: S310 (the configured https/http store)
        url,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": st.VERSION},
    )
    if username or password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver(destination, now=None):
    """Send the destination's queued statements in order until none is left or one batch
    fails; returns how many were sent."""
    lock = f"lantern:xapi-lock:{destination}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        return 0  # another worker is sending to this store
    sent = 0
    try:
        store = store_for(destination)
        while store is not None:
            now = timezone.now()
            rows = list(
                XapiStatement.objects.filter(
                    destination=destination, sent_at__isnull=True
                ).order_by("pk")[: conf.xapi_batch_size()]
            )
            if not rows or rows[0].next_attempt_at > now:
                break
            if rows[0].attempts >= conf.xapi_max_attempts():
                break  # waits for staff (`xapi_replay` or a fixed store)
            ids = [row.pk for row in rows]
            try:
                status = post_statements(*store, [row.statement for row in rows])
                error = "" if status in (200, 204) else f"HTTP {status}"
            except (OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
            if error:
                attempts = rows[0].attempts + 1
                XapiStatement.objects.filter(pk__in=ids).update(
                    attempts=attempts, next_attempt_at=now + backoff(attempts), last_error=error
                )
                logger.warning("xAPI to %s failed (attempt %s): %s", destination, attempts, error)
                break
            XapiStatement.objects.filter(pk__in=ids).update(sent_at=now, last_error="")
            sent += len(ids)
    finally:
        cache.delete(lock)
    return sent


def deliver_all():
    """Send every destination's due statements; returns how many were sent."""
    destinations = (
        XapiStatement.objects.filter(sent_at__isnull=True)
        .values_list("destination", flat=True)
        .distinct()
        .order_by()
    )
    return sum(deliver(destination) for destination in list(destinations))


def replay(since, until=None, destination=None):
    """Queue again, to be resent, every statement queued since `since` (to `until`): their ids
    are unchanged, so a store that has them keeps one copy. Returns how many."""
    rows = XapiStatement.objects.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    if destination:
        rows = rows.filter(destination=destination)
    count = rows.update(sent_at=None, attempts=0, next_attempt_at=timezone.now(), last_error="")
    schedule_delivery()
    return count
