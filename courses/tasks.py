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
