"""The cohort report as CSV: every row with the current filters, streamed a few hundred lines
at a time (each read in its own short query, no transaction held while the client reads), with
cells that a spreadsheet cannot run as formulas."""

import csv
import io

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.cohorts import reports

EXPORT_CHUNK_SIZE = 500  # rows per query, and per piece of the response

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A spreadsheet cell that cannot run as a formula: text starting with =, +, -, @, tab or
    carriage return gets a leading apostrophe (OWASP's advice for CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _when(value, with_time=True):
    if value is None:
        return ""
    value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _header():
    return [
        _("Name"),
        _("Email"),
        _("Course"),
        _("Status"),
        _("Progress (%)"),
        _("Lessons completed"),
        _("Lessons in the course"),
        _("Last activity"),
        _("Due"),
        _("Completed"),
        _("Quizzes passed"),
        _("Quizzes in the course"),
        _("Time on task (minutes)"),
        _("Certificate"),
        _("Certificate expires"),
        _("Joined or invited"),
    ]


def _member_cells(row, report):
    return [
        row["name"],
        row["user__email"],
        report.course.title,
        row["status_label"],
        row["progress"],
        row["lessons_completed"] if row["enrolled"] else "",
        row["lessons_total"] if row["enrolled"] else "",
        _when(row["last_activity"]),
        _when(row["due_at"]),
        _when(row["completed_at"]),
        row["quizzes_passed"] if report.quiz_ids else "",
        len(report.quiz_ids) if report.quiz_ids else "",
        row["time_on_task_minutes"] if row["enrolled"] else "",
        row["certificate_label"],
        _when(row["certificate_expires_at"], with_time=False),
        _when(row["joined_at"]),
    ]


def _invitation_cells(invitation, report):
    return [
        invitation.name,
        invitation.email,
        report.course.title if report.course is not None else "",
        reports.STATUS_LABELS[reports.INVITED],
        "",
        "",
        "",
        "",
        _when(report.cohort.due_at),
        "",
        "",
        "",
        "",
        "",
        "",
        _when(invitation.created_at),
    ]


def _member_chunks(report):
    """The members' rows, EXPORT_CHUNK_SIZE at a time, in the table's order. The sorted ids
    are read first (one short query); each chunk is then read on its own, so nothing holds a
    transaction (or a cursor) open while a slow client downloads the file."""
    with reports.without_jit():
        ids = list(report.row_ids())
    for start in range(0, len(ids), EXPORT_CHUNK_SIZE):
        with reports.without_jit():
            rows = report.rows_for(ids[start : start + EXPORT_CHUNK_SIZE])
        yield rows


def _invitation_chunks(report):
    """Pending invitations by (email, id), a keyset page at a time, each its own query."""
    queryset = report.invitations()
    last = None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(Q(email__gt=last[0]) | Q(email=last[0], pk__gt=last[1]))
        invitations = list(page[:EXPORT_CHUNK_SIZE])
        if not invitations:
            return
        yield invitations
        if len(invitations) < EXPORT_CHUNK_SIZE:
            return
        last = (invitations[-1].email, invitations[-1].pk)


def csv_lines(report):
    """The export, a chunk at a time: a byte order mark so that Excel reads UTF-8, the
    header, members, then pending invitations. Between chunks no transaction is open: each
    chunk is read in a short query of its own (autocommit) before its lines are sent."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(cell) for cell in _header()])
    yield "\ufeff" + flush()
    for rows in _member_chunks(report):
        for row in rows:
            writer.writerow([neutralise(cell) for cell in _member_cells(row, report)])
        yield flush()
    for invitations in _invitation_chunks(report):
        for invitation in invitations:
            cells = _invitation_cells(invitation, report)
            writer.writerow([neutralise(cell) for cell in cells])
        yield flush()


def export_filename(cohort, course, courses, day):
    parts = [slugify(cohort.name) or "cohort"]
    if course is not None and len(courses) > 1:
        parts.append(slugify(course.title)[:40] or "course")
    parts.append(day.isoformat())
    return "-".join(parts) + ".csv"
