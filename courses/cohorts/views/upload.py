"""Managers add people by uploading a CSV: it is parsed and validated, kept under a random token
bound to the cohort and the manager (in `cohorts.uploads`, not in the session), previewed with
each row's outcome, and only then confirmed: a worker then invites the rows in batches
(`cohorts.upload_jobs`) while the manager watches the upload's status page. A file with
problem rows is refused unless the manager ticks "add the rows without problems", which leaves
those rows out.

Every view goes through `cohort_for_managing`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.cohorts import csv_import, upload_jobs, uploads
from courses.cohorts import services as cohorts
from courses.cohorts.access import cohort_for_managing
from courses.cohorts.forms import (
    CohortUploadForm,
    UploadConfirmForm,
)
from courses.cohorts.views.common import cohort_url
from courses.models import CohortUploadJob

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
    error = _cannot_add(cohort, valid)
    if error:
        messages.error(request, f"{error} {_('Nobody was added.')}")
        return redirect(preview_url)
    job = upload_jobs.start(cohort, request.user, valid, entry.get("filename"), left_out)
    uploads.discard(request.user, token)
    return redirect(_job_url(cohort, job))


def _cannot_add(cohort, valid):
    """Why the rows cannot be added now (closed cohort, too few places), or None. The worker
    checks again, batch by batch."""
    if not cohort.is_active:
        return _("This cohort is closed to new members.")
    seats_left = cohorts.seats_left(cohort)
    if seats_left is None:
        return None
    needed = cohorts.plan_people(cohort, [row.email for row in valid]).seats_needed
    if needed > seats_left:
        return _("This cohort has %(available)s free places and this file needs %(needed)s.") % {
            "available": seats_left,
            "needed": needed,
        }
    return None


def _job_url(cohort, job):
    return reverse("courses:cohort_upload_job", args=[cohort.public_id, job.public_id])


def _job_for(request, cohort_id, job_id):
    """The cohort and its upload job, for the cohort's managers only: 404 for anyone else."""
    try:
        cohort = cohort_for_managing(request, cohort_id)
    except PermissionDenied:
        raise Http404 from None
    job = get_object_or_404(
        CohortUploadJob.objects.defer("rows").select_related("created_by"),
        cohort=cohort,
        public_id=job_id,
    )
    return cohort, job


def _progress(job):
    """What the status page and its JSON show."""
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.finished,
        "total": job.total,
        "processed": job.processed,
        "invited": job.invited,
        "already": job.already,
        "errors": job.errors,
        "percent": round(100 * job.processed / job.total) if job.total else 100,
        "text": _("%(processed)s of %(total)s processed")
        % {
            "processed": number_format(job.processed, force_grouping=True),
            "total": number_format(job.total, force_grouping=True),
        },
        "message": job.message,
    }


@login_required
@require_GET
def upload_job(request, cohort_id, job_id):
    """An upload's progress while the worker adds people, then what it did."""
    cohort, job = _job_for(request, cohort_id, job_id)
    context = {
        "cohort": cohort,
        "cohort_url": cohort_url(cohort),
        "upload_url": _upload_url(cohort),
        "job": job,
        "can_resume": upload_jobs.can_resume(job),
        "progress": _progress(job),
        "summary": _summary(job.invited, job.already, job.errors) if job.finished else "",
        "job_url": _job_url(cohort, job),
        "progress_url": reverse(
            "courses:cohort_upload_job_progress", args=[cohort.public_id, job.public_id]
        ),
        "resume_url": reverse(
            "courses:cohort_upload_job_resume", args=[cohort.public_id, job.public_id]
        ),
    }
    return render(request, "courses/cohorts/upload_job.html", context)


@login_required
@require_GET
def upload_job_progress(request, cohort_id, job_id):
    """The upload's progress as JSON, for the status page's poller."""
    _cohort, job = _job_for(request, cohort_id, job_id)
    response = JsonResponse(_progress(job))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def upload_job_resume(request, cohort_id, job_id):
    """Start a stopped upload again from where it stopped."""
    cohort, job = _job_for(request, cohort_id, job_id)
    if not cohort.is_active:
        messages.error(request, _("This cohort is closed to new members."))
    elif not upload_jobs.resume(job):
        messages.info(request, _("This upload is still going, so there is nothing to restart."))
    return redirect(_job_url(cohort, job))


def _summary(invited, already, left_out=0):
    parts = []
    if invited:
        parts.append(
            ngettext(
                "An invitation was sent to %(n)s person. They join once they accept it.",
                "Invitations were sent to %(n)s people. Each joins once they accept.",
                invited,
            )
            % {"n": f"{invited:,}"}
        )
    if already:
        parts.append(
            ngettext(
                "%(n)s was already in the cohort.",
                "%(n)s were already in the cohort.",
                already,
            )
            % {"n": f"{already:,}"}
        )
    if left_out:
        parts.append(
            ngettext(
                "%(n)s row with a problem was left out.",
                "%(n)s rows with problems were left out.",
                left_out,
            )
            % {"n": f"{left_out:,}"}
        )
    return " ".join(parts) or _("Nobody was added.")
