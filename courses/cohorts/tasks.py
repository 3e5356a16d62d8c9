"""Cohort emails: invitations and overdue reminders, rendered and queued in the outbox
(`courses.delivery`) inside the caller's transaction, then delivered in the background."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from courses import conf
from courses.identity import learner_language


def invitation_email(invitation, titles=None):
    """The invitation email's (subject, body): what is sent and the preview shows."""
    cohort = invitation.cohort
    if titles is None:
        titles = [course.title for course in cohort.courses.all()]
    context = {
        "invitation": invitation,
        "cohort": cohort,
        "organisation": cohort.organisation,
        "courses": titles,
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
    with translation.override(learner_language(membership.user)):
        context = reminder_context(cohort)
        body = reminder_body(context, membership.user, titles, membership.due_at, now)
    return context["subject"], body


def invitation_key(invitation):
    """The outbox key of an invitation's email: one per invitation and time it was (re)made,
    so an invitation renewed after a decline is emailed again."""
    return f"invitation:{invitation.pk}:{int(invitation.created_at.timestamp())}"


def queue_invitation_emails(invitations, rearm=False):
    """Queue the email of each invitation not emailed yet (once per key, in the caller's
    transaction); delivery starts when it commits and marks `sent_at` once each has gone.
    Returns how many are waiting to be sent."""
    from courses.delivery import services as delivery

    titles = {}
    waiting = 0
    for invitation in invitations:
        if invitation.sent_at is not None or invitation.declined_at is not None:
            continue
        cohort = invitation.cohort
        if cohort.pk not in titles:
            titles[cohort.pk] = [course.title for course in cohort.courses.all()]
        subject, body = invitation_email(invitation, titles[cohort.pk])
        row, _created = delivery.queue(
            invitation_key(invitation),
            invitation.email,
            subject,
            body,
            mark=invitation,
            mark_field="sent_at",
            rearm=rearm,
        )
        waiting += row.status != "sent"
    if waiting:
        delivery.deliver_soon()
    return waiting


def reminder_key(membership):
    """The outbox key of a member's next reminder: one after each reminder they had, so two
    clicks before it goes make one email (the views allow one a day)."""
    last = membership.last_reminded_at
    return f"overdue:{membership.pk}:{int(last.timestamp()) if last else 'first'}"


def queue_overdue_reminders(cohort, memberships, now=None):
    """Queue one gentle reminder for each of these members (with their user) who has a
    course of the cohort to finish: one per member until it has gone, however often this
    runs; one that could not be sent is tried afresh. `last_reminded_at` is set when the email
    has gone. Returns how many reminders this call queued or retried."""
    from courses.delivery import services as delivery

    now = now or timezone.now()
    memberships = [m for m in memberships if m.user.is_active and m.user.email]
    courses = list(cohort.courses.order_by("title").only("id", "title"))
    done = completed_courses(courses, [m.user_id for m in memberships])
    waiting = 0
    for membership in memberships:
        user = membership.user
        titles = [c.title for c in courses if not done.get((user.pk, c.pk), False)]
        if not titles:
            continue
        # In the member's own language (subject, text and links).
        with translation.override(learner_language(user)):
            context = reminder_context(cohort)
            due_at = cohort.due_at_for(membership.joined_at)
            body = reminder_body(context, user, titles, due_at, now)
        row, created = delivery.queue(
            reminder_key(membership),
            user.email,
            context["subject"],
            body,
            mark=membership,
            mark_field="last_reminded_at",
            now=now,
        )
        # Already on its way: nothing to do; could not be sent: try it afresh now.
        waiting += created or (row.undelivered and delivery.retry(row, now=now))
    if waiting:
        delivery.deliver_soon()
    return waiting
