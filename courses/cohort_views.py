"""Joining cohorts, and managers adding and removing people.

Joining: /join/ looks up a typed code (rate-limited per address); /join/<code>/ shows the
cohort and, on POST, joins it. Unknown, mistyped, replaced and switched-off codes all give
the same 404, so the page never hints that a similar code exists.

Managers (every view below `cohort_upload` goes through `cohort_for_managing`): a CSV upload
is parsed and validated, kept in the session under a random token bound to the cohort and
the manager, previewed with each row's outcome, and only then committed with
`cohorts.add_people` in one transaction. A file with problem rows is refused unless the
manager ticks "add the rows without problems", which leaves those rows out.
"""

import secrets
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import cohorts, csv_import
from .cohort_access import cohort_for_managing
from .cohort_forms import (
    AddPersonForm,
    CohortUploadForm,
    InviteLinkForm,
    JoinCodeForm,
    UploadConfirmForm,
)
from .models import CohortInvitation, CohortMembership, MembershipSource
from .ratelimit import over_limit

JOIN_LIMIT_PER_MINUTE = 30
UPLOADS_SESSION_KEY = "lantern_cohort_uploads"
UPLOAD_TTL_SECONDS = 60 * 60
UPLOADS_KEPT = 3  # previews kept per session at most (each can hold 10,000 rows)
PROBLEM_LINKS_SHOWN = 25


# Joining ----------------------------------------------------------------------------------


def _join_rate_limited(request):
    """Count code lookups per client address per minute (as certificate checks do)."""
    return over_limit(request, "join", JOIN_LIMIT_PER_MINUTE)


def _refuse(request, message, status, link_url=None, link_text=None):
    """A page saying why this was not possible; nothing was saved."""
    return render(
        request,
        "courses/cohorts/refused.html",
        {"message": message, "link_url": link_url, "link_text": link_text},
        status=status,
    )


def _too_many(request):
    form = JoinCodeForm()
    return render(
        request, "courses/cohorts/join_form.html", {"form": form, "too_many": True}, status=429
    )


def _unknown_code(request):
    return _refuse(
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
        user.is_authenticated
        and CohortMembership.objects.filter(cohort=cohort, user=user).exists()
    )
    if not is_member:
        refusal = _refusal_before_joining(request, cohort)
        if refusal is not None:
            return refusal
    context = {
        "cohort": cohort,
        "organisation": cohort.organisation,
        "courses": cohort.courses.live().order_by("title"),
        "is_member": is_member,
        "join_path": join_path,
        "display_code": cohorts.format_invite_code(cohort.invite_code),
    }
    return render(request, "courses/cohorts/join.html", context)


def _refusal_before_joining(request, cohort):
    """A closed or full cohort is refused on the page itself, before anyone logs in."""
    if not cohort.is_active:
        return _refuse(request, _("This cohort is closed to new members."), 403)
    if cohorts.seats_left(cohort) == 0:
        user = request.user
        has_invitation = (
            user.is_authenticated
            and CohortInvitation.objects.filter(cohort=cohort, email__iexact=user.email).exists()
        )
        if not has_invitation:
            return _refuse(
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
    try:
        _membership, created = cohorts.join(cohort, request.user, source=MembershipSource.LINK)
    except cohorts.CohortClosed as error:
        return _refuse(request, str(error), 403)
    except cohorts.CohortFull:
        return _refuse(
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


# Managers: upload -------------------------------------------------------------------------


def _cohort_url(cohort):
    return reverse("courses:cohort", args=[cohort.public_id])


def _upload_url(cohort):
    return reverse("courses:cohort_upload", args=[cohort.public_id])


def _store_upload(request, cohort, parsed, filename):
    """Keep the validated rows in the session under a new random token; returns the token.
    Replaces any earlier preview of this cohort and drops stale ones."""
    now = int(time.time())
    uploads = {
        token: entry
        for token, entry in request.session.get(UPLOADS_SESSION_KEY, {}).items()
        if entry.get("cohort") != str(cohort.public_id)
        and now - entry.get("created", 0) < UPLOAD_TTL_SECONDS
    }
    while len(uploads) >= UPLOADS_KEPT:
        uploads.pop(min(uploads, key=lambda token: uploads[token]["created"]))
    token = secrets.token_urlsafe(18)
    uploads[token] = {
        "cohort": str(cohort.public_id),
        "user": request.user.pk,
        "created": now,
        "filename": (filename or "")[:120],
        "encoding": parsed.encoding,
        "delimiter": parsed.delimiter_name,
        "has_names": parsed.has_names,
        "ignored": parsed.ignored_columns[:10],
        "rows": [row.as_list() for row in parsed.rows],
    }
    request.session[UPLOADS_SESSION_KEY] = uploads
    return token


def _stored_upload(request, cohort, token):
    """The stored preview for this token, if it belongs to this cohort and this manager and
    has not expired; otherwise None."""
    if not isinstance(token, str) or not token or len(token) > 64:
        return None
    entry = request.session.get(UPLOADS_SESSION_KEY, {}).get(token)
    if (
        entry is None
        or entry.get("cohort") != str(cohort.public_id)
        or entry.get("user") != request.user.pk
        or int(time.time()) - entry.get("created", 0) >= UPLOAD_TTL_SECONDS
    ):
        return None
    return entry


def _prune_uploads(request):
    """Drop expired previews, so an abandoned large upload does not weigh on the session."""
    uploads = request.session.get(UPLOADS_SESSION_KEY)
    if not uploads:
        return
    now = int(time.time())
    kept = {
        token: entry
        for token, entry in uploads.items()
        if now - entry.get("created", 0) < UPLOAD_TTL_SECONDS
    }
    if len(kept) != len(uploads):
        request.session[UPLOADS_SESSION_KEY] = kept


def _discard_upload(request, token):
    uploads = request.session.get(UPLOADS_SESSION_KEY, {})
    if uploads.pop(token, None) is not None:
        request.session[UPLOADS_SESSION_KEY] = uploads


def _expired(request, cohort):
    messages.error(
        request,
        _("That upload has expired or was already added. Please upload the file again."),
    )
    return redirect(_upload_url(cohort))


def _template_download():
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cohort-people-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cohort_upload(request, cohort_id):
    """GET: the upload form (or, with ?preview=<token>, the preview of an uploaded file; or,
    with ?download=template, an empty file to fill in). POST a file: parse, validate, keep
    and redirect to the preview. POST a token: commit the previewed rows."""
    cohort = cohort_for_managing(request, cohort_id)
    _prune_uploads(request)
    if request.method == "GET":
        if request.GET.get("download") == "template":
            return _template_download()
        if "preview" in request.GET:
            return _upload_preview(request, cohort, request.GET["preview"])
        return _upload_form(request, cohort, CohortUploadForm())
    if "token" in request.POST:
        return _upload_confirm(request, cohort)
    form = CohortUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_form(request, cohort, form, status=400)
    token = _store_upload(
        request, cohort, form.cleaned_data["parsed"], form.cleaned_data["file"].name
    )
    return redirect(f"{_upload_url(cohort)}?preview={token}")


def _upload_form(request, cohort, form, status=200):
    return render(
        request,
        "courses/cohorts/upload.html",
        {
            "cohort": cohort,
            "form": form,
            "cohort_url": _cohort_url(cohort),
            "max_rows": csv_import.MAX_ROWS,
            "seats_left": cohorts.seats_left(cohort),
        },
        status=status,
    )


def _upload_preview(request, cohort, token):
    entry = _stored_upload(request, cohort, token)
    if entry is None:
        return _expired(request, cohort)
    rows = [csv_import.Row.from_list(values) for values in entry["rows"]]
    valid = [row for row in rows if row.is_valid]
    problems = [row for row in rows if not row.is_valid]
    plan = cohorts.plan_people(cohort, [row.email for row in valid])
    outcome_labels = {
        cohorts.ADD: _("Will be added now"),
        cohorts.INVITE: _("Will be invited by email"),
        cohorts.ALREADY: _("Already in the cohort or invited"),
    }
    table = [
        {
            "line": row.line,
            "email": row.email,
            "name": row.name,
            "errors": row.errors,
            "outcome": plan.outcomes.get(row.email, "") if row.is_valid else "error",
            "label": outcome_labels.get(plan.outcomes.get(row.email)) if row.is_valid else "",
        }
        for row in rows
    ]
    seats_left = cohorts.seats_left(cohort)
    too_many = seats_left is not None and plan.seats_needed > seats_left
    to_add = plan.count(cohorts.ADD) + plan.count(cohorts.INVITE)
    context = {
        "cohort": cohort,
        "cohort_url": _cohort_url(cohort),
        "upload_url": _upload_url(cohort),
        "entry": entry,
        "rows": table,
        "problems": problems,
        "problem_links": problems[:PROBLEM_LINKS_SHOWN],
        "counts": {
            "rows": len(rows),
            "add": plan.count(cohorts.ADD),
            "invite": plan.count(cohorts.INVITE),
            "already": plan.count(cohorts.ALREADY),
            "problems": len(problems),
            "to_add": to_add,
        },
        "seats_left": seats_left,
        "seats_needed": plan.seats_needed,
        "too_many": too_many,
        "can_confirm": cohort.is_active and not too_many and to_add > 0,
        "confirm_form": UploadConfirmForm(initial={"token": token}),
    }
    return render(request, "courses/cohorts/upload_preview.html", context)


def _upload_confirm(request, cohort):
    form = UploadConfirmForm(request.POST)
    if not form.is_valid():
        return _expired(request, cohort)
    token = form.cleaned_data["token"]
    entry = _stored_upload(request, cohort, token)
    if entry is None:
        return _expired(request, cohort)
    preview_url = f"{_upload_url(cohort)}?preview={token}"
    rows = [csv_import.Row.from_list(values) for values in entry["rows"]]
    valid = [row for row in rows if row.is_valid]
    left_out = len(rows) - len(valid)
    if left_out and not form.cleaned_data["valid_only"]:
        messages.error(
            request,
            ngettext(
                "%(n)s row has a problem, so nobody was added. Fix it in your spreadsheet "
                "and upload the file again, or tick the box to leave it out.",
                "%(n)s rows have problems, so nobody was added. Fix them in your spreadsheet "
                "and upload the file again, or tick the box to leave them out.",
                left_out,
            )
            % {"n": left_out},
        )
        return redirect(preview_url)
    if not valid:
        messages.error(request, _("There is nobody in this file who can be added."))
        return redirect(preview_url)
    try:
        result = cohorts.add_people(
            cohort,
            [(row.email, row.name) for row in valid],
            added_by=request.user,
            source=MembershipSource.UPLOAD,
        )
    except cohorts.CohortError as error:
        messages.error(request, f"{error} {_('Nobody was added.')}")
        return redirect(preview_url)
    _discard_upload(request, token)
    messages.success(request, _summary(result, left_out))
    return redirect(_cohort_url(cohort))


def _summary(result, left_out=0):
    parts = []
    if result.added:
        parts.append(
            ngettext(
                "%(n)s person with an account is now a member and enrolled.",
                "%(n)s people with accounts are now members and enrolled.",
                len(result.added),
            )
            % {"n": len(result.added)}
        )
    if result.invited:
        parts.append(
            ngettext(
                "%(n)s person was invited by email.",
                "%(n)s people were invited by email.",
                len(result.invited),
            )
            % {"n": len(result.invited)}
        )
    if result.already:
        parts.append(
            ngettext(
                "%(n)s was already in the cohort.",
                "%(n)s were already in the cohort.",
                len(result.already),
            )
            % {"n": len(result.already)}
        )
    if left_out:
        parts.append(
            ngettext(
                "%(n)s row with a problem was left out.",
                "%(n)s rows with problems were left out.",
                left_out,
            )
            % {"n": left_out}
        )
    return " ".join(parts) or _("Nobody was added.")


# Managers: one person, removals, the invitation link ----------------------------------------


@login_required
@require_POST
def member_add(request, cohort_id):
    """Add one person by email: a member now if they have an account, else invited."""
    cohort = cohort_for_managing(request, cohort_id)
    form = AddPersonForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "courses/cohorts/member_add.html",
            {"cohort": cohort, "form": form, "cohort_url": _cohort_url(cohort)},
            status=400,
        )
    email, name = form.cleaned_data["email"], form.cleaned_data["name"]
    try:
        result = cohorts.add_people(
            cohort, [(email, name)], added_by=request.user, source=MembershipSource.MANUAL
        )
    except cohorts.CohortError as error:
        messages.error(request, f"{error} {_('Nobody was added.')}")
        return redirect(_cohort_url(cohort))
    if result.added:
        messages.success(
            request,
            _("%(email)s is now a member of this cohort and enrolled in its courses.")
            % {"email": email},
        )
    elif result.invited:
        messages.success(
            request,
            _(
                "%(email)s does not have an account yet, so we emailed them an invitation. "
                "Their place is held until they sign up with that address."
            )
            % {"email": email},
        )
    else:
        messages.info(
            request,
            _("%(email)s is already in this cohort or already invited.") % {"email": email},
        )
    return redirect(_cohort_url(cohort))


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
        cohorts.remove_member(cohort, person)
        messages.success(
            request,
            _(
                "%(person)s is no longer in this cohort. Their progress and certificates stay "
                "theirs; the cohort's due date no longer applies to them."
            )
            % {"person": person.get_full_name() or person.email},
        )
        return redirect(_cohort_url(cohort))
    return render(
        request,
        "courses/cohorts/member_remove.html",
        {"cohort": cohort, "person": person, "cohort_url": _cohort_url(cohort)},
    )


@login_required
@require_POST
def invitation_cancel(request, cohort_id, invitation_id):
    """Withdraw a pending invitation: signing up with that address no longer joins."""
    cohort = cohort_for_managing(request, cohort_id)
    invitation = get_object_or_404(CohortInvitation, cohort=cohort, pk=invitation_id)
    email = invitation.email
    invitation.delete()
    messages.success(
        request,
        _(
            "The invitation for %(email)s was cancelled and its place is free. Signing up "
            "with that address will no longer add them to this cohort."
        )
        % {"email": email},
    )
    return redirect(_cohort_url(cohort))


@login_required
@require_POST
def invite_link(request, cohort_id):
    """action=rotate (new code; the old link stops working), disable or enable."""
    cohort = cohort_for_managing(request, cohort_id)
    form = InviteLinkForm(request.POST)
    if not form.is_valid():
        return _refuse(
            request,
            _("Choose whether to replace, switch off or switch on the invitation link."),
            400,
            _cohort_url(cohort),
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
    return redirect(_cohort_url(cohort))
