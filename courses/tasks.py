"""Background work (django-tasks): emails to learners. Tasks take ids, not objects, and
re-read the database, so a task queued before a change sees the change."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task


def absolute_url(path):
    """A link for an email, on the site's public address (BASE_URL)."""
    return urljoin(getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000"), path)


@task()
def send_cohort_invitations(invitation_ids):
    """Email each pending invitation that has not been sent yet, once."""
    from .models import CohortInvitation

    invitations = (
        CohortInvitation.objects.filter(pk__in=invitation_ids, sent_at__isnull=True)
        .select_related("cohort__organisation")
        .prefetch_related("cohort__courses")
    )
    sent = 0
    for invitation in invitations:
        context = {
            "invitation": invitation,
            "cohort": invitation.cohort,
            "organisation": invitation.cohort.organisation,
            "courses": [course.title for course in invitation.cohort.courses.all()],
            "signup_url": absolute_url(reverse("signup"))
            + "?next="
            + reverse("courses:dashboard"),
            "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Lantern"),
        }
        send_mail(
            subject=render_to_string("courses/email/cohort_invitation_subject.txt", context)
            .strip(),
            message=render_to_string("courses/email/cohort_invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        CohortInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def _certificates_due_a_reminder(now, days):
    """Certificates expiring within `days` whose holder has not been reminded, still has an
    active account and has not already moved on to a newer certificate or cycle."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef, Q

    from .models import Certificate, Enrolment

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
    """Email each holder of a certificate that expires soon, once; returns how many were sent."""
    import logging

    from .models import Certificate

    logger = logging.getLogger(__name__)
    now = timezone.now()
    days = getattr(settings, "LANTERN_CERTIFICATE_REMINDER_DAYS", 30)
    context = {
        "renew_url": absolute_url(reverse("courses:dashboard")),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Lantern"),
    }
    sent = 0
    for certificate in _certificates_due_a_reminder(now, days):
        context["certificate"] = certificate
        subject = render_to_string("courses/email/certificate_reminder_subject.txt", context)
        message = render_to_string("courses/email/certificate_reminder.txt", context)
        # Claim the certificate first: of two overlapping runs, only one sends.
        claimed = Certificate.objects.filter(pk=certificate.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            continue
        try:
            send_mail(
                subject=" ".join(subject.split()),
                message=message,
                from_email=None,
                recipient_list=[certificate.user.email],
            )
        except OSError:  # smtplib errors included: release the claim so the next run retries
            logger.exception("Certificate reminder %s could not be sent", certificate.pk)
            Certificate.objects.filter(pk=certificate.pk, reminded_at=now).update(
                reminded_at=None
            )
            continue
        sent += 1
    return sent


@task()
def send_overdue_reminders(cohort_id, reminded_at):
    """Email the cohort's members whose reminder was claimed at `reminded_at` (ISO format;
    see `manage_views.cohort_remind`): each gets one gentle reminder listing the cohort's
    courses they have not completed. A member reminded again since then is left to that
    newer reminder."""
    from django.core.mail import EmailMessage, get_connection
    from django.utils.dateparse import parse_datetime

    from .models import Cohort, CohortMembership, Enrolment

    cohort = Cohort.objects.select_related("organisation").filter(pk=cohort_id).first()
    stamp = parse_datetime(reminded_at)
    if cohort is None or stamp is None:
        return 0
    memberships = CohortMembership.objects.filter(cohort=cohort, last_reminded_at=stamp)
    courses = list(cohort.courses.order_by("title").only("id", "title"))
    # Each member's current enrolment (active, highest cycle) per course: completed or not.
    done = {}
    for user_id, course_id, _cycle, completed_at in (
        Enrolment.objects.active()
        .filter(user_id__in=memberships.values("user_id"), course__in=courses)
        .order_by("user_id", "course_id", "cycle")
        .values_list("user_id", "course_id", "cycle", "completed_at")
    ):
        done[(user_id, course_id)] = completed_at is not None  # the highest cycle wins
    context = {
        "cohort": cohort,
        "organisation": cohort.organisation,
        "due_on": cohort.due_on,
        "dashboard_url": absolute_url(reverse("courses:dashboard")),
        "support_url": absolute_url(reverse("support")),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Lantern"),
    }
    subject = render_to_string("courses/email/overdue_reminder_subject.txt", context).strip()
    sent = 0
    batch = []
    connection = get_connection()
    for membership in memberships.select_related("user").iterator(chunk_size=500):
        user = membership.user
        if not user.is_active or not user.email:
            continue
        titles = [c.title for c in courses if not done.get((user.pk, c.pk), False)]
        if not titles:
            continue  # completed since the reminder was claimed
        message = render_to_string(
            "courses/email/overdue_reminder.txt",
            {**context, "user": user, "name": user.first_name, "courses": titles},
        )
        batch.append(EmailMessage(subject, message, None, [user.email], connection=connection))
        if len(batch) >= 100:
            sent += connection.send_messages(batch) or 0
            batch = []
    if batch:
        sent += connection.send_messages(batch) or 0
    return sent
