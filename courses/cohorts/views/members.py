"""Managers add one person, remove members, cancel invitations and change the invitation link.
Every view goes through `cohort_for_managing`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses import audit
from courses.cohorts import services as cohorts
from courses.cohorts.access import cohort_for_managing
from courses.cohorts.forms import (
    AddPersonForm,
    CohortDueDateForm,
    CohortJurisdictionForm,
    InviteLinkForm,
)
from courses.cohorts.views.common import cohort_url
from courses.models import CohortInvitation, CohortMembership, MembershipSource
from courses.responses import refuse


@login_required
@require_POST
def member_add(request, cohort_id):
    """Invite one person by email. The reply is the same whether or not the address has an
    account: the person accepts or declines on My learning."""
    cohort = cohort_for_managing(request, cohort_id)
    form = AddPersonForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "courses/cohorts/member_add.html",
            {"cohort": cohort, "form": form, "cohort_url": cohort_url(cohort)},
            status=400,
        )
    email, name = form.cleaned_data["email"], form.cleaned_data["name"]
    try:
        result = cohorts.add_people(
            cohort, [(email, name)], added_by=request.user, source=MembershipSource.MANUAL
        )
    except cohorts.CohortError as error:
        messages.error(request, f"{error} {_('Nobody was added.')}")
        return redirect(cohort_url(cohort))
    audit.record_people_added(cohort, result, request.user)
    if result.invited:
        messages.success(
            request,
            _(
                "An invitation will be sent to %(email)s. They join once they accept it, and "
                "their place is held until they answer."
            )
            % {"email": email},
        )
    else:
        messages.info(
            request,
            _("%(email)s is already in this cohort or already invited.") % {"email": email},
        )
    return redirect(cohort_url(cohort))


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, cohort_id, user_id):
    """GET asks for confirmation; POST takes the person out of the cohort. Their progress
    and certificates stay theirs."""
    cohort = cohort_for_managing(request, cohort_id)
    membership = get_object_or_404(
        CohortMembership.objects.select_related("user"), cohort=cohort, user_id=user_id
    )
    person = membership.user
    if request.method == "POST":
        cohorts.remove_member(cohort, person, removed_by=request.user)
        audit.record(
            cohort, audit.MEMBER_REMOVED, request.user, user_id=person.pk, email=person.email
        )
        messages.success(
            request,
            _(
                "%(person)s is no longer in this cohort. Their progress and certificates stay "
                "theirs; the cohort's due date no longer applies to them."
            )
            % {"person": person.get_full_name() or person.email},
        )
        return redirect(cohort_url(cohort))
    return render(
        request,
        "courses/cohorts/member_remove.html",
        {"cohort": cohort, "person": person, "cohort_url": cohort_url(cohort)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_cancel(request, cohort_id, invitation_id):
    """GET asks for confirmation; POST withdraws a pending invitation: the person can no
    longer accept it and its place is free. No email is sent."""
    cohort = cohort_for_managing(request, cohort_id)
    invitation = get_object_or_404(
        CohortInvitation.objects.pending(), cohort=cohort, pk=invitation_id
    )
    email = invitation.email
    if request.method == "POST":
        invitation.delete()
        audit.record(cohort, audit.INVITATION_CANCELLED, request.user, email=email)
        messages.success(
            request,
            _(
                "The invitation for %(email)s was cancelled and its place is free. They can no "
                "longer accept it."
            )
            % {"email": email},
        )
        return redirect(cohort_url(cohort))
    return render(
        request,
        "courses/cohorts/invitation_cancel.html",
        {"cohort": cohort, "invitation": invitation, "cohort_url": cohort_url(cohort)},
    )


@login_required
@require_POST
def invitation_resend(request, cohort_id, invitation_id):
    """Send a pending invitation's email again after it could not be delivered (or before
    it went): the same email, tried at once, still only one."""
    from courses.cohorts.tasks import queue_invitation_emails

    cohort = cohort_for_managing(request, cohort_id)
    invitation = get_object_or_404(
        CohortInvitation.objects.pending().filter(sent_at__isnull=True).select_related("cohort"),
        cohort=cohort,
        pk=invitation_id,
    )
    with transaction.atomic():
        queue_invitation_emails([invitation], rearm=True)
        audit.record(cohort, audit.INVITATION_RESENT, request.user, email=invitation.email)
    messages.success(
        request,
        _("The invitation email to %(email)s is on its way again.") % {"email": invitation.email},
    )
    return redirect(cohort_url(cohort))


@login_required
@require_http_methods(["GET", "POST"])
def cohort_due_date(request, cohort_id):
    """The manager sets the cohort's due date: none, fixed, or within N days of joining.
    Members' unfinished enrolments take their new effective due date."""
    cohort = cohort_for_managing(request, cohort_id)
    form = CohortDueDateForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            cohort = form.save()
            cohorts.apply_due_dates(cohort)
            audit.record(cohort, audit.DUE_DATE_CHANGED, request.user, due=str(cohort.due_label))
        messages.success(request, _("The due date is now: %(due)s.") % {"due": cohort.due_label})
        return redirect(cohort_url(cohort))
    return render(
        request,
        "courses/cohorts/due_date.html",
        {"cohort": cohort, "form": form, "cohort_url": cohort_url(cohort)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_jurisdiction(request, cohort_id):
    """The manager sets where the cohort's members work: those who join from now on start
    with it in the cohort's courses that offer it. Members' own choices are kept."""
    cohort = cohort_for_managing(request, cohort_id)
    form = CohortJurisdictionForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort = form.save()
        name = cohort.jurisdiction.name if cohort.jurisdiction else _("International / general")
        messages.success(request, _("Members who join now start with: %(name)s.") % {"name": name})
        return redirect(cohort_url(cohort))
    return render(
        request,
        "courses/cohorts/jurisdiction.html",
        {"cohort": cohort, "form": form, "cohort_url": cohort_url(cohort)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def invite_link(request, cohort_id):
    """action=rotate (new code; the old link stops working), disable or enable."""
    cohort = cohort_for_managing(request, cohort_id)
    form = InviteLinkForm(request.POST)
    if not form.is_valid():
        return refuse(
            request,
            _("Choose whether to replace, switch off or switch on the invitation link."),
            400,
            cohort_url(cohort),
            _("Back to the cohort"),
        )
    action = form.cleaned_data["action"]
    if action == "rotate":
        for _attempt in range(3):  # a clash with another cohort's code is very unlikely
            try:
                with transaction.atomic():
                    cohort.rotate_invite_code()
                break
            except IntegrityError:
                continue
        messages.success(
            request,
            _(
                "The invitation link has a new code. The old link and code no longer work; "
                "people who already joined stay in the cohort."
            ),
        )
    else:
        cohort.invite_enabled = action == "enable"
        cohort.save(update_fields=["invite_enabled"])
        if cohort.invite_enabled:
            messages.success(request, _("The invitation link works again."))
        else:
            messages.success(
                request,
                _(
                    "The invitation link is switched off: nobody can join with it until you "
                    "switch it on again. You can still add people yourself."
                ),
            )
    return redirect(cohort_url(cohort))
