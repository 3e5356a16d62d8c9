"""The cohort report as CSV: every row with the current filters, streamed a few hundred lines
at a time, with cells that a spreadsheet cannot run as formulas."""

import csv
import io

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.cohorts import reports

EXPORT_CHUNK_SIZE = 2000
EXPORT_LINES_PER_WRITE = 500

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


def csv_lines(report):
    """The export, a few hundred lines at a time: a byte order mark so that Excel reads
    UTF-8, the header, members (one query, read in chunks), then pending invitations."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(cell) for cell in _header()])
    yield "\ufeff" + flush()
    lines = 0
    # In a transaction on PostgreSQL: the server-side cursor then streams rows as they are
    # read rather than materialising the result first (as a WITH HOLD cursor does).
    with reports.without_jit():
        for row in report.all_rows().iterator(chunk_size=EXPORT_CHUNK_SIZE):
            cells = _member_cells(report.decorate(row), report)
            writer.writerow([neutralise(cell) for cell in cells])
            lines += 1
            if lines % EXPORT_LINES_PER_WRITE == 0:
                yield flush()
        for invitation in report.invitations().iterator(chunk_size=EXPORT_CHUNK_SIZE):
            cells = _invitation_cells(invitation, report)
            writer.writerow([neutralise(cell) for cell in cells])
            lines += 1
            if lines % EXPORT_LINES_PER_WRITE == 0:
                yield flush()
    rest = flush()
    if rest:
        yield rest


def export_filename(cohort, course, courses, day):
    parts = [slugify(cohort.name) or "cohort"]
    if course is not None and len(courses) > 1:
        parts.append(slugify(course.title)[:40] or "course")
    parts.append(day.isoformat())
    return "-".join(parts) + ".csv"
