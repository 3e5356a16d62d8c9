"""Workers claiming the outbox at the same moment, on PostgreSQL: each thread below has its own
database connection, as separate worker processes would. No email is ever claimed by two
workers, and a worker does not wait for rows another one is claiming (SKIP LOCKED).

PostgreSQL only (DATABASE_URL=postgres://…): SQLite has one writer at a time, so there is no
concurrent claim to test."""

import threading

import pytest
from django.db import connection, transaction

from courses.delivery import services as delivery
from courses.models import DeliveryStatus, OutboundEmail

pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: run with DATABASE_URL=postgres://…")


def queue(count):
    for n in range(count):
        delivery.queue(f"race:{n}", f"person{n}@example.org", "Subject", "Body")


def in_thread(target, *args):
    """Run target(*args) in a thread with a database connection of its own."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target(*args)
        except Exception as error:  # noqa: BLE001 — reported by the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_workers_claiming_together_never_claim_the_same_email():
    queue(120)
    start = threading.Barrier(4)

    def worker():
        start.wait(timeout=10)
        claimed = []
        while rows := delivery.claim(limit=7):
            claimed.extend(row.pk for row in rows)
        return claimed

    threads = [in_thread(worker) for _ in range(4)]
    for thread, _outcome in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    outcomes = [outcome for _thread, outcome in threads]
    assert not [o["error"] for o in outcomes if "error" in o]
    claims = [pk for o in outcomes for pk in o["value"]]
    assert len(claims) == len(set(claims)) == 120  # each email once, by one worker
    assert sum(1 for o in outcomes if o["value"]) >= 2  # the work was shared
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {DeliveryStatus.SENDING}
    assert OutboundEmail.objects.values("claim_token").distinct().count() >= 2


def test_a_worker_skips_rows_another_is_claiming_instead_of_waiting():
    queue(6)
    first_three = list(OutboundEmail.objects.order_by("next_attempt_at", "pk")[:3])
    with transaction.atomic():
        # Another worker is in the middle of its claim: it holds these rows' locks.
        locked = list(
            OutboundEmail.objects.filter(pk__in=[row.pk for row in first_three])
            .select_for_update()
            .values_list("pk", flat=True)
        )
        thread, outcome = in_thread(delivery.claim, None, 3)
        thread.join(timeout=10)
        blocked = thread.is_alive()
    thread.join(timeout=10)
    assert not blocked, "the second worker waited for the first one's locks"
    assert "error" not in outcome
    claimed = {row.pk for row in outcome["value"]}
    assert len(claimed) == 3 and not claimed & set(locked)
