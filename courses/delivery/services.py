"""The outbox: `queue()` records an email once per key inside the caller's transaction;
`deliver_due()` claims due emails with a lease, sends them over one connection and marks each
one sent (and the record it is about) as soon as it has gone. A failure is retried later with a
growing delay; a worker killed mid-send leaves a lease that expires, so another picks it up."""

import contextlib
import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from courses import conf
from courses.models import DeliveryStatus, OutboundEmail

logger = logging.getLogger(__name__)

MAX_BACKOFF_MINUTES = 60


def lease():
    """How long a claim lasts (`LANTERN_OUTBOX_LEASE_SECONDS`): a batch must be sent within it,
    or another worker may send its unsent emails."""
    return timedelta(seconds=conf.outbox_lease_seconds())


def backoff(attempts):
    """The wait after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def message_id(key):
    """A Message-ID made from the key: a copy sent twice (a crash between sending and
    recording it) carries the same id, so mail systems and people can see it is one email."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "lantern.invalid"
    return f"<lantern.{re.sub(r'[^A-Za-z0-9-]+', '.', key).strip('.')}@{domain}>"


def queue(key, to, subject, body, mark=None, mark_field="", rearm=False, now=None):
    """Queue one email under `key`; returns (row, created). Queuing the same key again
    changes nothing (a second click or a retried task sends one email), except that with
    `rearm` an email not sent yet is made due now and tried afresh. `mark` is the record
    whose `mark_field` is set to the sending time once the email has gone."""
    now = now or timezone.now()
    values = {"to": to, "subject": " ".join(subject.split())[:300], "body": body}
    if mark is not None:
        values.update(
            mark_type=ContentType.objects.get_for_model(mark),
            mark_id=mark.pk,
            mark_field=mark_field,
        )
    row, created = OutboundEmail.objects.get_or_create(
        key=key, defaults={**values, "next_attempt_at": now, "created_at": now}
    )
    if not created and rearm:
        retry(row, now=now)
    return row, created


def retry(row, now=None):
    """Make an email that has not gone due now, with fresh attempts; True if it was. One
    being sent at this moment (a live lease) is left to its worker."""
    now = now or timezone.now()
    updated = (
        OutboundEmail.objects.filter(pk=row.pk)
        .exclude(status=DeliveryStatus.SENT)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
    )
    return bool(updated)


def deliver_soon():
    """Start a delivery run once the current transaction commits."""
    from courses.delivery.tasks import deliver_outbox

    transaction.on_commit(lambda: deliver_outbox.enqueue())


def statuses(keys):
    """{key: row} for these keys (one query); keys without a row are left out."""
    return {row.key: row for row in OutboundEmail.objects.filter(key__in=list(keys))}


def _due(now):
    waiting = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Q(status__in=waiting, next_attempt_at__lte=now) & unclaimed


def claim(now=None, limit=None, keys=None, exclude=()):
    """Claim up to `limit` due emails for this worker (for `lease()`); returns them.
    Rows locked by another worker are skipped (PostgreSQL); the conditional UPDATE with a
    fresh token means two workers never hold the same row."""
    now = now or timezone.now()
    limit = limit or conf.outbox_batch_size()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = OutboundEmail.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if keys is not None:
            due = due.filter(key__in=list(keys))
        if exclude:
            due = due.exclude(pk__in=list(exclude))
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        OutboundEmail.objects.filter(pk__in=ids).filter(_due(now)).update(
            status=DeliveryStatus.SENDING,
            claimed_until=now + lease(),
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(OutboundEmail.objects.filter(claim_token=token, status=DeliveryStatus.SENDING))


def _mark_sent(row):
    now = timezone.now()
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=row.pk).exclude(status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.SENT, sent_at=now, claimed_until=None, last_error=""
        )
        if row.mark_type_id and row.mark_id and row.mark_field:
            model = ContentType.objects.get_for_id(row.mark_type_id).model_class()
            if model is not None:
                model._default_manager.filter(pk=row.mark_id).update(**{row.mark_field: now})


def _describe(exc):
    """The kind of error and the server's short answer, without anything configured."""
    text = " ".join(str(exc).split())
    for name in ("EMAIL_HOST_PASSWORD", "EMAIL_HOST_USER"):
        secret = getattr(settings, name, "")
        if secret:
            text = text.replace(secret, "…")
    return f"{type(exc).__name__}: {text}"[:300]


def _mark_failed(row, exc):
    now = timezone.now()
    gave_up = row.attempts >= conf.outbox_max_attempts()
    OutboundEmail.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
        next_attempt_at=now + backoff(row.attempts),
        claimed_until=None,
        last_error=_describe(exc),
    )
    logger.warning("Email %s not sent (attempt %s): %s", row.key, row.attempts, _describe(exc))


def _open(connection):
    if getattr(connection, "connection", True) is None:  # the SMTP backend, closed
        connection.open()


def _lease_ending(row):
    """Whether this worker's claim on the row has (nearly) run out: past it another worker may
    take the row, so this one must not send it. The margin leaves time for one message."""
    margin = min(lease() / 10, timedelta(seconds=30))
    return row.claimed_until is None or timezone.now() >= row.claimed_until - margin


def _release(rows):
    """Give back claimed rows not sent (the lease ran out first): due again at once."""
    OutboundEmail.objects.filter(
        pk__in=[row.pk for row in rows],
        claim_token=rows[0].claim_token,
        status=DeliveryStatus.SENDING,
    ).update(
        status=DeliveryStatus.PENDING,
        claimed_until=None,
        next_attempt_at=timezone.now(),
        attempts=F("attempts") - 1,  # not tried
    )
    logger.warning("Lease ran out with %s email(s) of the batch unsent: released.", len(rows))


def send_claimed(rows):
    """Send claimed emails over one mail connection, marking each as soon as it has gone;
    returns how many were sent. Emails still unsent when the lease is about to run out are
    released rather than sent, so that no other worker sends them too."""
    if not rows:
        return 0
    connection = get_connection()
    sent = 0
    try:
        for row in rows:
            if _lease_ending(row):
                _release(rows[rows.index(row) :])
                break
            message = EmailMessage(
                row.subject,
                row.body,
                None,
                [row.to],
                connection=connection,
                headers={"Message-ID": message_id(row.key)},
            )
            try:
                _open(connection)
            except Exception as exc:  # noqa: BLE001 — the server is unreachable: try later
                for unsent in rows[rows.index(row) :]:
                    _mark_failed(unsent, exc)
                break
            try:
                if not connection.send_messages([message]):
                    raise OSError("The mail backend accepted nothing.")
            except Exception as exc:  # noqa: BLE001 — any failure is retried later
                _mark_failed(row, exc)
                with contextlib.suppress(Exception):  # a broken connection closes badly
                    connection.close()
                continue
            _mark_sent(row)
            sent += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def deliver_due(now=None, limit=None, keys=None):
    """Claim and send due emails, batch after batch, until none is due; returns how many
    were sent. `keys` limits the run to those emails."""
    sent, tried = 0, set()
    while True:
        rows = claim(now=now, limit=limit, keys=keys, exclude=tried)
        if not rows:
            return sent
        tried.update(row.pk for row in rows)  # a failure waits for a later run
        sent += send_claimed(rows)
