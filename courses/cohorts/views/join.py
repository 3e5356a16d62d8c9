"""Joining a cohort: /join/ looks up a typed code (rate-limited per address); /join/<code>/
shows the cohort and, on POST, joins it. Unknown, mistyped, replaced and switched-off codes all
give the same 404, so the page never hints that a similar code exists."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from courses import codes, ratelimit
from courses.cohorts import services as cohorts
from courses.cohorts.forms import (
    JoinCodeForm,
)
from courses.content.locales import in_language_list
from courses.identity import email_verified
from courses.models import CohortInvitation, CohortMembership, MembershipSource
from courses.responses import refuse

# An office or school behind one address onboards its people together: 200 people each
# opening the link, joining and landing on My learning within a minute or two must pass.
# Guessing codes is what the second, much lower limit stops: it counts only codes that were
# not found.
JOIN_LIMIT_PER_MINUTE = 600
JOIN_MISSES_PER_MINUTE = 30


def _join_rate_limited(request):
    """Count requests per client per minute; refuse once there are too many, or once the
    client has tried too many unknown codes."""
    if ratelimit.current(request, "join-miss") >= JOIN_MISSES_PER_MINUTE:
        return True
    return ratelimit.over_limit(request, "join", JOIN_LIMIT_PER_MINUTE)


def _too_many(request):
    form = JoinCodeForm()
    return render(
        request, "courses/cohorts/join_form.html", {"form": form, "too_many": True}, status=429
    )


def _unknown_code(request):
    ratelimit.count(request, "join-miss")
    return refuse(
        request,
        _(
            "This invitation link or code does not work. It may have been mistyped, replaced "
            "or switched off. Ask your organisation for a new link."
        ),
        404,
        reverse("courses:join_form"),
        _("Type a code"),
    )


@require_http_methods(["GET"])
def join_form(request):
    """Type the code from an invitation; a known code goes to its join page."""
    if "code" not in request.GET:
        return render(request, "courses/cohorts/join_form.html", {"form": JoinCodeForm()})
    if _join_rate_limited(request):
        return _too_many(request)
    form = JoinCodeForm(request.GET)
    if form.is_valid():
        cohort = cohorts.cohort_for_code(form.cleaned_data["code"])
        if cohort is not None:
            return redirect("courses:join", code=cohort.invite_code)
        ratelimit.count(request, "join-miss")
        form.add_error("code", JoinCodeForm.not_found_message())
    return render(request, "courses/cohorts/join_form.html", {"form": form}, status=404)


@require_http_methods(["GET", "POST"])
def join(request, code):
    """The cohort behind an invitation link: who invites, which courses, by when. Logged-in
    people join with a button (POST); others log in or sign up and come back here."""
    if _join_rate_limited(request):
        return _too_many(request)
    cohort = cohorts.cohort_for_code(code)
    if cohort is None:
        return _unknown_code(request)
    join_path = reverse("courses:join", args=[cohort.invite_code])
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(join_path)
        return _join_now(request, cohort)
    if code != cohort.invite_code:  # typed in lower case or with dashes
        return redirect(join_path)
    is_member = (
        user.is_authenticated and CohortMembership.objects.filter(cohort=cohort, user=user).exists()
    )
    if not is_member:
        refusal = _refusal_before_joining(request, cohort)
        if refusal is not None:
            return refusal
    context = {
        "cohort": cohort,
        "organisation": cohort.organisation,
        "courses": in_language_list(cohort.courses.live().order_by("title")),
        "is_member": is_member,
        "join_path": join_path,
        "display_code": codes.format_code(cohort.invite_code),
    }
    return render(request, "courses/cohorts/join.html", context)


def _refusal_before_joining(request, cohort):
    """A closed or full cohort is refused on the page itself, before anyone logs in."""
    if not cohort.is_active:
        return refuse(request, _("This cohort is closed to new members."), 403)
    if cohorts.seats_left(cohort) == 0:
        user = request.user
        has_invitation = (
            user.is_authenticated
            and CohortInvitation.objects.pending()
            .filter(cohort=cohort, email__iexact=user.email)
            .exists()
        )
        if not has_invitation:
            return refuse(
                request,
                _(
                    "This cohort is full. Ask %(organisation)s to add places, or for a link "
                    "to another cohort."
                )
                % {"organisation": cohort.organisation.name},
                409,
            )
    return None


def _join_now(request, cohort):
    if not email_verified(request.user):
        return refuse(
            request,
            _(
                "Please confirm your email address before joining. We sent you a link when "
                "you created your account; you can send it again from your email settings."
            ),
            403,
            reverse("account_email"),
            _("Email settings"),
        )
    try:
        _membership, created = cohorts.join(cohort, request.user, source=MembershipSource.LINK)
    except cohorts.CohortClosed as error:
        return refuse(request, str(error), 403)
    except cohorts.CohortFull:
        return refuse(
            request,
            _(
                "This cohort is full, so you were not added. Ask %(organisation)s to add "
                "places, or for a link to another cohort."
            )
            % {"organisation": cohort.organisation.name},
            409,
        )
    except IntegrityError:  # the same person joining twice at the same moment
        created = False
    if created:
        messages.success(
            request,
            _(
                "You have joined %(cohort)s. Your courses from %(organisation)s are below; "
                "your progress is saved as you go."
            )
            % {"cohort": cohort.name, "organisation": cohort.organisation.name},
        )
    else:
        messages.info(
            request,
            _("You are already in %(cohort)s. Your courses are below.") % {"cohort": cohort.name},
        )
    return redirect("courses:dashboard")
