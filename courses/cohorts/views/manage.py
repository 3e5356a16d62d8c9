"""The manager area: a partner organisation's cohorts, their progress, exports, reminders.

Every view reaches a cohort through `cohorts.access`: a cohort outside the person's
organisations is a 404. The queries are built in `reports`; each page uses a fixed number of
them whatever the size of the cohort.
"""

from datetime import datetime
from html import escape as _escape
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_lazy

from courses import audit
from courses.cohorts import reports
from courses.cohorts.access import (
    can_manage,
    cohort_for_viewing,
    organisations_for,
)
from courses.cohorts.reports import export
from courses.cohorts.tasks import invitation_key
from courses.delivery.services import statuses
from courses.models import CertificateStatus, Cohort, CoursePage, EnrolmentStatus


def _course_queryset():
    return CoursePage.objects.order_by("title", "pk").only(
        "id", "title", "path", "depth", "url_path", "slug", "locale_id"
    )


# --- /manage/ ----------------------------------------------------------------------------------


@login_required
def manage_home(request):
    """The person's organisations and the progress of their cohorts."""
    user = request.user
    organisations = list(organisations_for(user).order_by("name"))
    if not organisations and not user.has_perm("courses.view_cohort"):
        return render(request, "courses/cohorts/manage/no_access.html", status=403)
    cohorts = list(
        Cohort.objects.visible_to(user)
        .filter(organisation__in=[organisation.pk for organisation in organisations])
        .prefetch_related(Prefetch("courses", queryset=_course_queryset()))
        .order_by("-is_active", "name")
    )
    with reports.without_jit():
        figures = reports.cohort_overview([cohort.pk for cohort in cohorts])
    minimum = reports.min_group_size()
    by_organisation = {organisation.pk: [] for organisation in organisations}
    for cohort in cohorts:
        stats = figures.get(cohort.pk, {"members": 0, "completed": 0, "overdue": 0})
        members = stats["members"]
        cohort.members = members
        cohort.suppressed = members < minimum
        cohort.completed_percent = (
            None if cohort.suppressed else round(100 * stats["completed"] / members)
        )
        cohort.overdue = None if cohort.suppressed else stats["overdue"]
        by_organisation.setdefault(cohort.organisation_id, []).append(cohort)
    for organisation in organisations:
        organisation.cohort_list = by_organisation.get(organisation.pk, [])
    return render(
        request,
        "courses/cohorts/manage/home.html",
        {"organisations": organisations, "minimum": minimum},
    )


# --- A cohort ----------------------------------------------------------------------------------

COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("email", gettext_lazy("Email")),
    ("status", gettext_lazy("Status")),
    ("progress", gettext_lazy("Progress")),
    ("activity", gettext_lazy("Last activity")),
    ("quizzes", gettext_lazy("Quizzes")),
    ("certificate", gettext_lazy("Certificate")),
]


def _query(params):
    return "?" + urlencode(params) if params else ""


def _columns(filters):
    """Table headings, with a link to sort by each sortable one (again: reversed) and
    aria-sort on the current one."""
    base = filters.as_query()
    columns = []
    for key, label in COLUMNS:
        column = {"key": key, "label": label, "url": None, "aria_sort": None}
        if key in reports.SORT_LABELS:
            current = filters.sort_key == key
            new_sort = ("" if filters.descending else "-") + key if current else key
            params = {k: v for k, v in base.items() if k != "sort"}
            if new_sort != reports.DEFAULT_SORT:
                params["sort"] = new_sort
            column["url"] = _query(params)
            if current:
                column["aria_sort"] = "descending" if filters.descending else "ascending"
        columns.append(column)
    return columns


# A stand-in for the last URL argument: each row's link is the URL reversed once per page with
# this number replaced, rather than a {% url %} per row.
_PLACEHOLDER = 918273645


def _url_for_each(name, *args):
    """A function of a primary key giving reverse(name, args=[*args, pk]), reversing once."""
    head, _found, tail = reverse(name, args=[*args, _PLACEHOLDER]).rpartition(str(_PLACEHOLDER))
    return lambda pk: f"{head}{pk}{tail}"


def _day_formatter():
    """value|date:"j M Y" (in the current time zone, as the template filter does),
    formatted once per day shown."""
    days = {}

    def day(value):
        if not value:
            return ""
        value = template_localtime(value)
        key = value.date() if isinstance(value, datetime) else value
        if key not in days:
            days[key] = date_filter(value, "j M Y")
        return days[key]

    return day


def _with_display(rows, invitations, cohort):
    """What the table shows of each row, prepared once per page: links, dates and the
    sentences with numbers (same messages as the template's, translated once)."""
    day = _day_formatter()
    member_url = _url_for_each("courses:cohort_member", cohort.public_id)
    remind_url = _url_for_each("courses:cohort_member_remind", cohort.public_id)
    remove_url = _url_for_each("courses:cohort_member_remove", cohort.public_id)
    lessons = gettext("%(done)s of %(total)s lessons")
    time_on_task = gettext("Time on task: %(time)s")
    passed = gettext("%(passed)s of %(total)s passed")
    for row in rows:
        row["member_url"] = member_url(row["user_id"])
        row["remind_url"] = remind_url(row["user_id"])
        row["remove_url"] = remove_url(row["user_id"])
        row["label"] = row["name"] or row["user__email"]
        row["due_text"] = day(row["due_at"])
        row["is_completed"] = row["status"] == EnrolmentStatus.COMPLETED
        row["completed_text"] = day(row["completed_at"])
        row["activity_text"] = day(row["last_activity"])
        row["certificate_expired"] = row["certificate_state"] == CertificateStatus.EXPIRED
        row["certificate_expires_text"] = day(row["certificate_expires_at"])
        if row["enrolled"]:
            row["lessons_text"] = _sentence(
                lessons, done=row["lessons_completed"], total=row["lessons_total"]
            )
            row["time_text"] = _sentence(time_on_task, time=row["time_on_task_text"])
        if row["quizzes_total"]:
            row["quizzes_text"] = _sentence(
                passed, passed=row["quizzes_passed"], total=row["quizzes_total"]
            )
    cancel_url = _url_for_each("courses:cohort_invitation_cancel", cohort.public_id)
    resend_url = _url_for_each("courses:cohort_invitation_resend", cohort.public_id)
    for invitation in invitations:
        invitation.cancel_url = cancel_url(invitation.pk)
        invitation.resend_url = resend_url(invitation.pk)
        invitation.created_text = day(invitation.created_at)
    return rows


def _row_words():
    """The fixed words of the members table, translated once per page."""
    return {
        "no_name": _escape(gettext("(no name given)")),
        "due": _escape(gettext("due")),
        "left_course": _escape(gettext("left the course")),
        "none_yet": _escape(gettext("none yet")),
        "no_quizzes": _escape(gettext("no quizzes")),
        "no_certificate": _escape(gettext("none")),
        "expired": _escape(gettext("expired")),
        "expires": _escape(gettext("expires")),
        "send_reminder": _escape(gettext("Send reminder")),
        "to": _escape(gettext("to")),
        "remove": _escape(gettext("Remove")),
        "from_cohort": _escape(gettext("from this cohort")),
    }


def _rows_html(rows, can_manage_rows):
    """Each member's table row, built here rather than in the template: with 50 rows a page,
    the template's tags and lookups were most of the page's rendering time. Every value
    from a row is escaped (`html.escape`, as Django's `escape` does, without its lazy-string
    wrapper); the sentences with numbers (`_sentence`) are escaped already."""
    words = _row_words()
    labels = {}

    def label(value):
        value = str(value)
        if value not in labels:
            labels[value] = _escape(value)
        return labels[value]

    for row in rows:
        name = _escape(row["name"]) if row["name"] else words["no_name"]
        head = f'<th scope="row"><a href="{_escape(str(row["member_url"]))}">{name}</a>'
        if row["due_at"]:
            head += f'<br><span class="meta">{words["due"]} {_escape(str(row["due_text"]))}</span>'
        status = (
            f'<td><span class="status status--{_escape(str(row["status"]))}">'
            f"{label(row['status_label'])}</span>"
        )
        if row["is_completed"] and row["completed_at"]:
            status += f'<br><span class="meta">{_escape(str(row["completed_text"]))}</span>'
        if not row["enrolled"]:
            status += f'<br><span class="meta">{words["left_course"]}</span>'
        if row["enrolled"] or row["is_completed"]:
            progress = f"<td>{int(row['progress'])}%"
            if row["enrolled"]:
                progress += (
                    f'<br><span class="meta">{row["lessons_text"]}<br>{row["time_text"]}</span>'
                )
        else:
            progress = '<td><span class="meta">—</span>'
        if row["last_activity"]:
            activity = f"<td>{_escape(str(row['activity_text']))}</td>"
        else:
            activity = f'<td><span class="meta">{words["none_yet"]}</span></td>'
        if row["quizzes_total"]:
            quizzes = f"<td>{row['quizzes_text']}</td>"
        else:
            quizzes = f'<td><span class="meta">{words["no_quizzes"]}</span></td>'
        if row["certificate_state"]:
            certificate = f"<td>{label(row['certificate_label'])}"
            if row["certificate_expires_at"]:
                word = words["expired"] if row["certificate_expired"] else words["expires"]
                certificate += (
                    f'<br><span class="meta">{word} '
                    f"{_escape(str(row['certificate_expires_text']))}</span>"
                )
            certificate += "</td>"
        else:
            certificate = f'<td><span class="meta">{words["no_certificate"]}</span></td>'
        actions = ""
        if can_manage_rows:
            person = _escape(str(row["label"]))
            actions = (
                f'<td><a href="{_escape(str(row["remind_url"]))}">{words["send_reminder"]}'
                f'<span class="visually-hidden"> {words["to"]} {person}</span></a><br>'
                f'<a href="{_escape(str(row["remove_url"]))}">{words["remove"]}'
                f'<span class="visually-hidden"> {person} {words["from_cohort"]}</span></a></td>'
            )
        row["html"] = mark_safe(  # noqa: S308 (every value above is escaped)
            f"<tr>{head}</th>"
            f'<td class="wrap">{_escape(str(row["user__email"]))}</td>'
            f"{status}</td>{progress}</td>{activity}{quizzes}{certificate}{actions}</tr>"
        )
    return rows


def _invitation_rows_html(invitations, can_manage_rows, csrf_token):
    """The pending invitations' table rows, built as the members' rows are."""
    invited = _escape(gettext("Invited"))
    not_delivered = _escape(gettext("Email not delivered"))
    resend = _escape(gettext("Resend"))
    email_to = _escape(gettext("the invitation email to"))
    not_sent = _escape(gettext("email not sent yet"))
    cancel = _escape(gettext("Cancel invitation"))
    for_word = _escape(gettext("for"))
    csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_escape(csrf_token)}">'
    for invitation in invitations:
        email = _escape(invitation.email)
        state = f'<span class="status status--invited">{invited}</span>'
        if invitation.undelivered:
            state += f'<br><span class="meta">{not_delivered}</span>'
            if can_manage_rows:
                state += (
                    f' — <form method="post" action="{_escape(invitation.resend_url)}"'
                    f' class="inline-form">{csrf_input}<button type="submit" class="link-button">'
                    f'{resend}<span class="visually-hidden"> {email_to} {email}</span>'
                    "</button></form>"
                )
        elif not invitation.sent_at:
            state += f'<br><span class="meta">{not_sent}</span>'
        actions = ""
        if can_manage_rows:
            actions = (
                f'<td><a href="{_escape(invitation.cancel_url)}">{cancel}'
                f'<span class="visually-hidden"> {for_word} {email}</span></a></td>'
            )
        invitation.html = mark_safe(  # noqa: S308 (every value above is escaped)
            f'<tr><th scope="row" class="wrap">{email}</th>'
            f"<td>{_escape(invitation.name) if invitation.name else '—'}</td>"
            f"<td>{state}</td><td>{_escape(invitation.created_text)}</td>{actions}</tr>"
        )


def _sentence(message, **values):
    """As {% blocktranslate with … %}: the translated message with its values escaped."""
    return mark_safe(message % {key: conditional_escape(value) for key, value in values.items()})  # noqa: S308


def _report_for(request, cohort):
    courses = list(cohort.courses.order_by("title", "pk").only("id", "title", "path", "depth"))
    filters = reports.Filters.from_query(request.GET, courses)
    report = reports.CohortReport(cohort, filters, reports.course_quiz_ids(filters.course))
    return courses, filters, report


@login_required
def cohort_report(request, cohort_id):
    """Progress of a cohort's members in one of its courses: summary, filters, table."""
    cohort = cohort_for_viewing(request, cohort_id)
    courses, filters, report = _report_for(request, cohort)
    with reports.without_jit():
        summary = report.summary()
        page = Paginator(report.paged_rows(summary), reports.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = report.rows_for(page.object_list)
        invitations = Paginator(report.paged_invitations(summary), reports.PAGE_SIZE).get_page(
            request.GET.get("ipage")
        )
        invitations.object_list = list(invitations.object_list)
        delivery = statuses(invitation_key(i) for i in invitations.object_list)
        for invitation in invitations.object_list:
            row = delivery.get(invitation_key(invitation))
            invitation.undelivered = row is not None and row.undelivered
        answers = reports.recent_answers(cohort)
    _with_display(rows, invitations.object_list, cohort)
    manager_actions = can_manage(request.user, cohort)
    _rows_html(rows, manager_actions)
    _invitation_rows_html(invitations.object_list, manager_actions, get_token(request))
    query = filters.as_query()
    context = {
        "cohort": cohort,
        "courses": courses,
        "course": filters.course,
        "filters": filters,
        "summary": summary,
        "minimum": summary.minimum,
        "page": page,
        "rows": rows,
        "invitations": invitations,
        "answers": answers,
        "columns": _columns(filters),
        "statuses": [
            (name, reports.STATUS_LABELS[code]) for name, code in reports.STATUSES.items()
        ],
        "sort_label": reports.SORT_LABELS[filters.sort_key],
        "export_url": reverse("courses:cohort_export", args=[cohort.public_id]) + _query(query),
        "can_manage": manager_actions,
        "seats_taken": summary.members + summary.counts[reports.INVITED],
        "join_url": request.build_absolute_uri(reverse("courses:join", args=[cohort.invite_code])),
        "now": report.now,
        "due_passed": cohort.due_on is not None and cohort.due_on < timezone.localdate(),
        "CertificateStatus": CertificateStatus,
        "EnrolmentStatus": EnrolmentStatus,
    }
    return render(request, "courses/cohorts/manage/cohort.html", context)


# --- CSV export --------------------------------------------------------------------------------


@login_required
def cohort_export(request, cohort_id):
    """The table's rows, all of them with the current filters, as CSV, streamed."""
    cohort = cohort_for_viewing(request, cohort_id)
    courses, filters, report = _report_for(request, cohort)
    response = StreamingHttpResponse(
        export.csv_lines(report), content_type="text/csv; charset=utf-8"
    )
    filename = export.export_filename(cohort, filters.course, courses, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # names and progress of staff
    response["X-Content-Type-Options"] = "nosniff"
    audit.record_download(cohort, request.user, filters)
    return response
