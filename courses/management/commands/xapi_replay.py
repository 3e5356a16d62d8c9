"""Resend the xAPI statements of a period (docs/xapi.md)."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from courses.xapi import services


def _moment(text, option):
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"{option}: give a date (2026-11-01) or a date and time.")
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Queue again the xAPI statements recorded in a period and send them. Statement ids do "
        "not change, so a store that already has one keeps a single copy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="Start (date or ISO date-time).")
        parser.add_argument("--until", help="End, exclusive (default: now).")
        parser.add_argument(
            "--destination", help='Only one store: "site" or "org:<organisation id>".'
        )

    def handle(self, *args, since, until=None, destination=None, **options):
        start = _moment(since, "--since")
        end = _moment(until, "--until") if until else None
        if end is not None and end <= start:
            raise CommandError("--until must be after --since.")
        queued = services.replay(start, end, destination)
        sent = services.deliver_all()
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} statement(s); sent {sent}."))
