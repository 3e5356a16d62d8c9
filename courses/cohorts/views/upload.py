"""Managers add people by uploading a CSV: it is parsed and validated, kept under a random token
bound to the cohort and the manager (in `cohorts.uploads`, not in the session), previewed with
each row's outcome, and only then committed with `cohorts.services.add_people` in one
transaction. A file with problem rows is refused unless the manager ticks "add the rows without
problems", which leaves those rows out.

Every view goes through `cohort_for_managing`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from courses import audit
from courses.cohorts import csv_import, uploads
from courses.cohorts import services as cohorts
from courses.cohorts.access import cohort_for_managing
from courses.cohorts.forms import (
    CohortUploadForm,
    UploadConfirmForm,
)
from courses.cohorts.views.common import cohort_url
from courses.models import MembershipSource

PROBLEM_LINKS_SHOWN = 25


def _upload_url(cohort):
    return reverse("courses:cohort_upload", args=[cohort.public_id])


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
    token = uploads.save(
        cohort, request.user, form.cleaned_data["parsed"], form.cleaned_data["file"].name
    )
    return redirect(f"{_upload_url(cohort)}?preview={token}")


def _upload_form(request, cohort, form, status=200):
    return render(
        request,
        "courses/cohorts/upload.html",
        {
            "cohort": cohort,
            "form": form,
            "cohort_url": cohort_url(cohort),
            "max_rows": csv_import.MAX_ROWS,
            "seats_left": cohorts.seats_left(cohort),
        },
        status=status,
    )


def _upload_preview(request, cohort, token):
    entry = uploads.load(cohort, request.user, token)
    if entry is None:
        return _expired(request, cohort)
    rows = [csv_import.Row.from_list(values) for values in entry["rows"]]
    valid = [row for row in rows if row.is_valid]
    problems = [row for row in rows if not row.is_valid]
    plan = cohorts.plan_people(cohort, [row.email for row in valid])
    outcome_labels = {
        cohorts.INVITE: _("Invitation will be sent"),
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
    to_add = plan.count(cohorts.INVITE)
    context = {
        "cohort": cohort,
        "cohort_url": cohort_url(cohort),
        "upload_url": _upload_url(cohort),
        "entry": entry,
        "rows": table,
        "problems": problems,
        "problem_links": problems[:PROBLEM_LINKS_SHOWN],
        "counts": {
            "rows": len(rows),
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
    entry = uploads.load(cohort, request.user, token)
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
    uploads.discard(request.user, token)
    audit.record_upload(cohort, result, request.user, entry.get("filename"), left_out)
    messages.success(request, _summary(result, left_out))
    return redirect(cohort_url(cohort))


def _summary(result, left_out=0):
    parts = []
    if result.invited:
        parts.append(
            ngettext(
                "An invitation was sent to %(n)s person. They join once they accept it.",
                "Invitations were sent to %(n)s people. Each joins once they accept.",
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
