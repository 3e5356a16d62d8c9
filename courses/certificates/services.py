"""Issuing certificates when a course is completed (listening to `course_completed`)."""

import calendar

from django.db import IntegrityError, transaction

from courses.models import Certificate


def add_months(moment, months):
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def issue_certificate(enrolment):
    """The enrolment's certificate, issued now if it has none. Safe to call twice at once:
    the one-to-one constraint on the enrolment keeps exactly one."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing, False
    course = enrolment.course
    issued_at = enrolment.completed_at
    months = course.certificate_validity_months
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                enrolment=enrolment,
                user=enrolment.user,
                course=course,
                course_title=course.title,
                course_version=course.live_revision_id,
                name_on_certificate=enrolment.user.certificate_name,
                issued_at=issued_at,
                expires_at=add_months(issued_at, months) if months else None,
            ), True
    except IntegrityError:
        return Certificate.objects.get(enrolment=enrolment), False
