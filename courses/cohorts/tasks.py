"""Background work for cohorts (django-tasks): invitation and overdue-reminder emails. Tasks
take ids, not objects, and re-read the database, so a task queued before a change sees it."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from courses import conf


@task()
def send_cohort_invitations(invitation_ids):
    """Email each pending invitation that has not been sent yet, once. The same email goes
    to addresses with and without an account (the answer is given on My learning)."""
    from courses.models import CohortInvitation

    invitations = (
        CohortInvitation.objects.pending()
        .filter(pk__in=invitation_ids, sent_at__isnull=True)
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
            "signup_url": conf.absolute_url(reverse("account_signup"))
            + "?next="
            + reverse("courses:dashboard"),
            "dashboard_url": conf.absolute_url(reverse("courses:dashboard")),
            "site_name": conf.site_name(),
        }
        send_mail(
            subject=render_to_string(
                "courses/email/cohort_invitation_subject.txt", context
            ).strip(),
            message=render_to_string("courses/email/cohort_invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        CohortInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


@task()
def send_overdue_reminders(cohort_id, reminded_at):
    """Email the cohort's members whose reminder was claimed at `reminded_at` (ISO format;
    see `cohorts.views.manage.cohort_remind`): each gets one gentle reminder listing the cohort's
    courses they have not completed. A member reminded again since then is left to that
    newer reminder."""
    from django.core.mail import EmailMessage, get_connection
    from django.utils.dateparse import parse_datetime

    from courses.models import Cohort, CohortMembership, Enrolment

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
        "dashboard_url": conf.absolute_url(reverse("courses:dashboard")),
        "support_url": conf.absolute_url(reverse("support")),
        "site_name": conf.site_name(),
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
