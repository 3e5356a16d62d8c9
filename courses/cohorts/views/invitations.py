"""The learner's side of cohorts: accept or decline an invitation, leave a cohort. Each acts
only on the person's own invitations (addressed to their verified email) and memberships;
anything else is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses import audit
from courses.cohorts import services as cohorts
from courses.models import CohortMembership
from courses.responses import refuse


def _unverified(request):
    return refuse(
        request,
        _(
            "Please confirm your email address first. Invitations are shown once we know the "
            "address is yours."
        ),
        403,
        reverse("account_email"),
        _("Email settings"),
    )


def _gone(request):
    return refuse(
        request,
        _(
            "This invitation is no longer open. It may have been answered already or "
            "withdrawn by the organisation."
        ),
        404,
        reverse("courses:dashboard"),
        _("Back to My learning"),
    )


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    user = request.user
    try:
        cohort = cohorts.accept_invitation(user, invitation_id)
    except cohorts.EmailNotVerified:
        return _unverified(request)
    except cohorts.InvitationNotFound:
        return _gone(request)
    except IntegrityError:  # the same answer sent twice at once
        return redirect("courses:dashboard")
    audit.record(cohort, audit.INVITATION_ACCEPTED, user, user_id=user.pk, email=user.email)
    messages.success(
        request,
        _(
            "You have joined %(cohort)s. %(organisation)s can now see your progress in its "
            "courses. You can leave the cohort at any time from this page."
        )
        % {"cohort": cohort.name, "organisation": cohort.organisation.name},
    )
    return redirect("courses:dashboard")


@login_required
@require_POST
def invitation_decline(request, invitation_id):
    user = request.user
    try:
        cohort = cohorts.decline_invitation(user, invitation_id)
    except cohorts.EmailNotVerified:
        return _unverified(request)
    except cohorts.InvitationNotFound:
        return _gone(request)
    audit.record(cohort, audit.INVITATION_DECLINED, user, user_id=user.pk, email=user.email)
    messages.info(
        request,
        _("You declined the invitation to %(cohort)s. %(organisation)s will see that.")
        % {"cohort": cohort.name, "organisation": cohort.organisation.name},
    )
    return redirect("courses:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def cohort_leave(request, cohort_id):
    """GET explains what leaving means; POST leaves."""
    membership = get_object_or_404(
        CohortMembership.objects.select_related("cohort__organisation"),
        cohort__public_id=cohort_id,
        user=request.user,
    )
    cohort = membership.cohort
    if request.method == "POST":
        if cohorts.leave_cohort(cohort, request.user):
            audit.record(
                cohort,
                audit.MEMBER_LEFT,
                request.user,
                user_id=request.user.pk,
                email=request.user.email,
            )
        messages.success(
            request,
            _(
                "You have left %(cohort)s. %(organisation)s no longer sees your progress; your "
                "courses, progress and certificates stay yours."
            )
            % {"cohort": cohort.name, "organisation": cohort.organisation.name},
        )
        return redirect("courses:dashboard")
    return render(request, "courses/cohorts/leave.html", {"cohort": cohort})
