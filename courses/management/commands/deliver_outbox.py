"""Send the outbox's due emails (run every minute from cron, as a safety net)."""

from django.core.management.base import BaseCommand

from courses.delivery.services import deliver_due
from courses.models import DeliveryStatus, OutboundEmail


class Command(BaseCommand):
    help = (
        "Send every queued email that is due, over one mail connection per batch; failures "
        "are retried later with a growing delay. Safe to run repeatedly and in parallel."
    )

    def handle(self, *args, **options):
        sent = deliver_due()
        waiting = OutboundEmail.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).count()
        failed = OutboundEmail.objects.filter(status=DeliveryStatus.FAILED).count()
        self.stdout.write(
            self.style.SUCCESS(f"Sent {sent} email(s); {waiting} waiting, {failed} not delivered.")
        )
