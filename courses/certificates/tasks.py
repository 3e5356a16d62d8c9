"""Background work for certificates (django-tasks): expiry reminders. Tasks take ids, not
objects, and re-read the database."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from courses import conf
from courses.delivery import services as delivery
from courses.identity import learner_language
from courses.models import Certificate, Enrolment


def _certificates_due_a_reminder(now, days):
    """Certificates expiring within `days` whose holder has not been reminded, still has an
    active account and has not already moved on to a newer certificate or cycle."""
    newer_certificate = Certificate.objects.filter(
        user=OuterRef("user"), course=OuterRef("course"), issued_at__gt=OuterRef("issued_at")
    )
    newer_cycle = Enrolment.objects.filter(
        Q(cycle__gt=OuterRef("enrolment__cycle")) | Q(enrolled_at__gt=OuterRef("issued_at")),
        user=OuterRef("user"),
        course=OuterRef("course"),
        unenrolled_at__isnull=True,
        completed_at__isnull=True,
    )
    return (
        Certificate.objects.filter(
            reminded_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days),
            user__isnull=False,
            user__is_active=True,
            course__isnull=False,
            course__live=True,  # renewing means taking the course again: it must be open
        )
        .exclude(Exists(newer_certificate))
        .exclude(Exists(newer_cycle))
        .select_related("user")
        .order_by("expires_at", "pk")
    )


@task()
def send_certificate_expiry_reminders():
    """Email each holder of a certificate that expires soon, once; returns how many were sent
    by this run."""
    now = timezone.now()
    days = conf.certificate_reminder_days()
    keys = []
    for certificate in _certificates_due_a_reminder(now, days):
        # In the holder's own language (subject, text and the link's language prefix).
        with translation.override(learner_language(certificate.user)):
            context = {
                "certificate": certificate,
                "renew_url": conf.absolute_url(reverse("courses:dashboard")),
                "site_name": conf.site_name(),
            }
            subject = render_to_string("courses/email/certificate_reminder_subject.txt", context)
            message = render_to_string("courses/email/certificate_reminder.txt", context)
        # One email per certificate, however often this runs; `reminded_at` is set once it
        # has gone, and the outbox retries it later when the mail server is down.
        key = f"cert-expiry:{certificate.pk}"
        delivery.queue(
            key,
            certificate.user.email,
            subject,
            message,
            mark=certificate,
            mark_field="reminded_at",
        )
        keys.append(key)
    return delivery.deliver_due(keys=keys) if keys else 0
