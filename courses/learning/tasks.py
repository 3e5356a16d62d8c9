"""Background work for learning (django-tasks): the course-completion email. Tasks take ids,
not objects, and re-read the database."""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from courses import conf

logger = logging.getLogger(__name__)


@task()
def send_course_completed_email(enrolment_id):
    """Email the learner once that they completed a cycle of a course; True if sent now."""
    from courses.models import Certificate, Enrolment

    enrolment = (
        Enrolment.objects.filter(
            pk=enrolment_id, completed_at__isnull=False, completion_emailed_at__isnull=True
        )
        .select_related("course", "user")
        .first()
    )
    if enrolment is None or not enrolment.user.is_active or not enrolment.user.email:
        return False
    certificate = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).first()
    context = {
        "enrolment": enrolment,
        "course_title": enrolment.course.title,
        "certificate": certificate,
        "certificate_url": conf.absolute_url(
            reverse("courses:certificate", args=[certificate.code])
        )
        if certificate
        else "",
        "completion_url": conf.absolute_url(
            reverse("courses:course_complete", args=[enrolment.course_id])
        ),
        "site_name": conf.site_name(),
    }
    subject = render_to_string("courses/email/course_completed_subject.txt", context)
    message = render_to_string("courses/email/course_completed.txt", context)
    # Claim the enrolment first: of two overlapping runs, only one sends.
    now = timezone.now()
    claimed = Enrolment.objects.filter(pk=enrolment.pk, completion_emailed_at__isnull=True).update(
        completion_emailed_at=now
    )
    if not claimed:
        return False
    try:
        send_mail(
            subject=" ".join(subject.split()),
            message=message,
            from_email=None,
            recipient_list=[enrolment.user.email],
        )
    except OSError:  # smtplib errors included: release the claim so a retry can send
        logger.exception("Completion email for enrolment %s could not be sent", enrolment.pk)
        Enrolment.objects.filter(pk=enrolment.pk, completion_emailed_at=now).update(
            completion_emailed_at=None
        )
        return False
    return True
