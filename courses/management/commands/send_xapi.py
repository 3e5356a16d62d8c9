"""Send queued xAPI statements (run every minute from cron, as a safety net)."""

from django.core.management.base import BaseCommand

from courses.models import XapiStatement
from courses.xapi.services import deliver_all


class Command(BaseCommand):
    help = (
        "Send every queued xAPI statement that is due to its learning record store, in order; "
        "failed batches are retried later with a growing delay. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        sent = deliver_all()
        waiting = XapiStatement.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} statement(s); {waiting} waiting."))
