"""A member's page in the manager area, and reminders with a confirmation page that shows the
exact email first. GET never changes anything; the action happens on POST."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from courses import audit
from courses.cohorts import reports
from courses.cohorts.access import can_manage, cohort_for_managing, cohort_for_viewing
from courses.cohorts.reports import member as member_report
from courses.cohorts.tasks import queue_overdue_reminders, reminder_email, unfinished_titles
from courses.cohorts.views.common import cohort_url
from courses.models import CohortMembership


def _start_of_day(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _reminded_today(membership, now):
    reminded = membership.last_reminded_at
    return reminded is not None and reminded >= _start_of_day(now)


@login_required
def member_detail(request, cohort_id, user_id):
    """One person in the cohort: with their consent (they accepted), their progress in the
    cohort's courses; otherwise only the state of their invitation."""
    cohort = cohort_for_viewing(request, cohort_id)
    membership = member_report.membership_for(cohort, user_id)
    context = {"cohort": cohort, "cohort_url": cohort_url(cohort)}
    if membership is None:
        person = get_object_or_404(get_user_model(), pk=user_id)
        standing = member_report.standing_for(cohort, person)
        if standing is None:
            raise Http404
        context["standing"] = standing
        return render(request, "courses/cohorts/manage/member.html", context)
    now = timezone.now()
    context.update(
        {
            "membership": membership,
            "person": membership.user,
            "due_at": membership.due_at,
            "now": now,
            "courses": member_report.member_courses(cohort, membership, now),
            "can_manage": can_manage(request.user, cohort),
            "reminded_today": _reminded_today(membership, now),
        }
    )
    return render(request, "courses/cohorts/manage/member.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_remind(request, cohort_id, user_id):
    """GET shows the reminder this person would get; POST sends it (once a day at most, and
    only while they have a course of the cohort to finish)."""
    cohort = cohort_for_managing(request, cohort_id)
    membership = get_object_or_404(
        CohortMembership.objects.select_related("user"), cohort=cohort, user_id=user_id
    )
    person = membership.user
    now = timezone.now()
    titles = unfinished_titles(cohort, person)
    member_url = reverse_member(cohort, person)
    if request.method == "POST":
        if not titles:
            messages.info(request, _("They have completed every course, so no reminder was sent."))
            return redirect(member_url)
        if _reminded_today(membership, now):
            messages.info(request, _("They were already reminded today, so nothing was sent."))
            return redirect(member_url)
        with transaction.atomic():
            if not queue_overdue_reminders(cohort, [membership], now):
                messages.info(request, _("A reminder is already on its way to them."))
                return redirect(member_url)
            audit.record(
                cohort,
                audit.REMINDERS_SENT,
                request.user,
                count=1,
                user_id=person.pk,
                email=person.email,
            )
        messages.success(
            request,
            _("A reminder is on its way to %(person)s.")
            % {"person": person.get_full_name() or person.email},
        )
        return redirect(member_url)
    subject, body = reminder_email(cohort, membership, titles, now) if titles else ("", "")
    return render(
        request,
        "courses/cohorts/confirm_remind.html",
        {
            "cohort": cohort,
            "cohort_url": cohort_url(cohort),
            "back_url": member_url,
            "person": person,
            "recipients": 1 if titles and not _reminded_today(membership, now) else 0,
            "reminded_today": _reminded_today(membership, now),
            "nothing_to_do": not titles,
            "subject": subject,
            "body": body,
            "to": person.email,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_remind(request, cohort_id):
    """GET: how many overdue members would be reminded, and the email the first of them
    would get. POST: email them, at most once a day each: each reminder is queued in the
    outbox under the member's key for the day, so two clicks at once make one email, and
    `last_reminded_at` is set only once it has gone (one that could not be sent can be sent
    again)."""
    cohort = cohort_for_managing(request, cohort_id)
    now = timezone.now()
    start_of_day = _start_of_day(now)
    overdue = reports.overdue_memberships(cohort, list(cohort.courses.all()), now)
    due_today = overdue.filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_day)
    )
    if request.method == "GET":
        with reports.without_jit():
            total = overdue.count()
            first = due_today.select_related("user").order_by("user__email").first()
        subject = body = to = ""
        if first is not None:
            subject, body = reminder_email(
                cohort, first, unfinished_titles(cohort, first.user), now
            )
            to = first.user.email
        return render(
            request,
            "courses/cohorts/confirm_remind.html",
            {
                "cohort": cohort,
                "cohort_url": cohort_url(cohort),
                "back_url": cohort_url(cohort),
                "recipients": due_today.count() if first is not None else 0,
                "skipped": total - (due_today.count() if first is not None else 0),
                "nothing_to_do": total == 0,
                "subject": subject,
                "body": body,
                "to": to,
                "whole_cohort": True,
            },
        )
    with transaction.atomic():
        with reports.without_jit():
            total = overdue.count()
            members = list(due_today.select_related("user"))
        reminded = queue_overdue_reminders(cohort, members, now)
        if reminded:
            audit.record(cohort, audit.REMINDERS_SENT, request.user, count=reminded)
    skipped = max(total - reminded, 0)
    if reminded:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(count)s overdue member.",
                "Reminders are on their way to %(count)s overdue members.",
                reminded,
            )
            % {"count": reminded},
        )
    if skipped:
        messages.info(
            request,
            ngettext(
                "%(count)s overdue member was skipped: they were already reminded today.",
                "%(count)s overdue members were skipped: they were already reminded today.",
                skipped,
            )
            % {"count": skipped},
        )
    if not total:
        messages.info(request, _("Nobody in this cohort is overdue, so no reminders were sent."))
    return redirect(cohort_url(cohort))


def reverse_member(cohort, user):
    """The member page's URL."""
    from django.urls import reverse

    return reverse("courses:cohort_member", args=[cohort.public_id, user.pk])
