"""Email holders whose certificates expire soon (run daily from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from courses.certificates.tasks import send_certificate_expiry_reminders


class Command(BaseCommand):
    help = (
        "Email each holder of a certificate that expires within "
        "LANTERN_CERTIFICATE_REMINDER_DAYS (default 30), once. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send in this process instead of enqueuing the task for the worker.",
        )

    def handle(self, *args, now=False, **options):
        if now:
            self.report(send_certificate_expiry_reminders.call())
            return
        result = send_certificate_expiry_reminders.enqueue()
        if not result.is_finished:
            self.stdout.write(f"Queued the certificate reminders (task {result.id}).")
            return
        if result.status == TaskResultStatus.FAILED:
            detail = result.errors[-1].traceback if result.errors else ""
            raise CommandError(f"Sending certificate reminders failed.\n{detail}")
        self.report(result.return_value)

    def report(self, sent):
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} certificate expiry reminder(s)."))
