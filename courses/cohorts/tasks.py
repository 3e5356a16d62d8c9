"""Background work for cohorts (django-tasks): invitation and overdue-reminder emails. Tasks
take ids, not objects, and re-read the database, so a task queued before a change sees it."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from courses import conf


def invitation_email(invitation):
    """The invitation email's (subject, body): what the task sends and the preview shows."""
    cohort = invitation.cohort
    context = {
        "invitation": invitation,
        "cohort": cohort,
        "organisation": cohort.organisation,
        "courses": [course.title for course in cohort.courses.all()],
        "signup_url": conf.absolute_url(reverse("account_signup"))
        + "?next="
        + reverse("courses:dashboard"),
        "dashboard_url": conf.absolute_url(reverse("courses:dashboard")),
        "site_name": conf.site_name(),
    }
    subject = render_to_string("courses/email/cohort_invitation_subject.txt", context).strip()
    return subject, render_to_string("courses/email/cohort_invitation.txt", context)


def reminder_context(cohort):
    """What every reminder for a cohort shares (the subject among it)."""
    context = {
        "cohort": cohort,
        "organisation": cohort.organisation,
        "dashboard_url": conf.absolute_url(reverse("courses:dashboard")),
        "support_url": conf.absolute_url(reverse("support")),
        "site_name": conf.site_name(),
    }
    context["subject"] = render_to_string(
        "courses/email/overdue_reminder_subject.txt", context
    ).strip()
    return context


def reminder_body(context, user, titles, due_at, now=None):
    """One member's reminder text: their unfinished courses and their own due date."""
    now = now or timezone.now()
    return render_to_string(
        "courses/email/overdue_reminder.txt",
        {
            **context,
            "user": user,
            "name": user.first_name,
            "courses": titles,
            "due_at": due_at,
            "was_due": due_at is not None and due_at < now,
        },
    )


def completed_courses(courses, user_ids):
    """{(user_id, course_id): whether the current enrolment (active, highest cycle) is
    completed}, for these users (ids or a values() queryset) in these courses. One query."""
    from courses.models import Enrolment

    done = {}
    for user_id, course_id, _cycle, completed_at in (
        Enrolment.objects.active()
        .filter(user_id__in=user_ids, course__in=courses)
        .order_by("user_id", "course_id", "cycle")
        .values_list("user_id", "course_id", "cycle", "completed_at")
    ):
        done[(user_id, course_id)] = completed_at is not None  # the highest cycle wins
    return done


def unfinished_titles(cohort, user):
    """The titles of the cohort's courses this person has not completed (two queries)."""
    courses = list(cohort.courses.order_by("title").only("id", "title"))
    done = completed_courses(courses, [user.pk])
    return [c.title for c in courses if not done.get((user.pk, c.pk), False)]


def reminder_email(cohort, membership, titles, now=None):
    """The reminder email's (subject, body) for one member: what the task sends and the
    preview shows."""
    context = reminder_context(cohort)
    body = reminder_body(context, membership.user, titles, membership.due_at, now)
    return context["subject"], body


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
        subject, body = invitation_email(invitation)
        send_mail(
            subject=subject,
            message=body,
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

    from courses.models import Cohort, CohortMembership

    cohort = Cohort.objects.select_related("organisation").filter(pk=cohort_id).first()
    stamp = parse_datetime(reminded_at)
    if cohort is None or stamp is None:
        return 0
    memberships = CohortMembership.objects.filter(cohort=cohort, last_reminded_at=stamp)
    courses = list(cohort.courses.order_by("title").only("id", "title"))
    done = completed_courses(courses, memberships.values("user_id"))
    context = reminder_context(cohort)
    subject = context["subject"]
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
        message = reminder_body(context, user, titles, cohort.due_at_for(membership.joined_at))
        batch.append(EmailMessage(subject, message, None, [user.email], connection=connection))
        if len(batch) >= 100:
            sent += connection.send_messages(batch) or 0
            batch = []
    if batch:
        sent += connection.send_messages(batch) or 0
    return sent
