"""Issuing certificates when a course is completed (listening to `course_completed`).

A certificate carries a name, never an email address: a learner with neither a name on
certificate nor a full name gets no certificate when they complete a course. They are asked for
a name (My learning and the course page) and `set_certificate_name` then issues every
certificate they have earned and not yet received.
"""

import calendar

from django.db import IntegrityError, transaction

from courses.identity import learner_language
from courses.learning.services import (
    awaiting_certificate_name,
    earned_without_certificate,
    holder_name,
)
from courses.models import Certificate, CoursePage, Jurisdiction
from courses.models.jurisdictions import GENERAL
from courses.models.translations import content_language, translated_words
from courses.signals import certificate_issued

__all__ = [
    "awaiting_certificate_name",
    "holder_name",
    "issue_certificate",
    "issue_earned_certificates",
    "set_certificate_name",
]


def add_months(moment, months):
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def certificate_content_language(language):
    """The content language (a locale's code) whose translations a certificate in `language`
    takes its words from: the supported content language, else the language itself (page
    translations may exist before the site lists their language)."""
    return content_language(language) or language


def jurisdiction_name(enrolment, language=None):
    """The name of the jurisdiction the learner trained for, to copy onto the certificate
    ("" for general or none): its translation's name in `language` where one exists."""
    if not enrolment.jurisdiction_id:
        return ""
    jurisdiction = Jurisdiction.objects.filter(pk=enrolment.jurisdiction_id).first()
    if jurisdiction is None or jurisdiction.code == GENERAL:
        return ""
    code = certificate_content_language(language) if language else None
    if code and code != content_language():
        words = translated_words(Jurisdiction, code, ("name",), [jurisdiction.translation_key])
        if jurisdiction.translation_key in words:
            return words[jurisdiction.translation_key]["name"]
    return jurisdiction.name


def course_words(course, language, field):
    """A field of the course in `language`: the course's own in the source's language, else
    its live translation's (found by translation key and locale), else None."""
    code = certificate_content_language(language)
    if code == content_language():
        return getattr(course, field)
    return (
        CoursePage.objects.live()
        .filter(translation_key=course.translation_key, locale__language_code=code)
        .exclude(pk=course.pk)
        .values_list(field, flat=True)
        .first()
    )


def course_title(course, language):
    """The course's title in `language`, else the course's own."""
    return course_words(course, language, "title") or course.title


def issue_certificate(enrolment):
    """The enrolment's certificate, issued now if it has none: (certificate, created). Safe to
    call twice at once: the one-to-one constraint on the enrolment keeps exactly one. Returns
    (None, False) while the learner has no name to print (see `awaiting_certificate_name`)."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing, False
    name = holder_name(enrolment.user)
    if not name or enrolment.completed_at is None:
        return None, False
    course = enrolment.course
    issued_at = enrolment.completed_at
    language = learner_language(enrolment.user)
    months = course.certificate_validity_months
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                enrolment=enrolment,
                user=enrolment.user,
                course=course,
                course_title=course_title(course, language),
                course_version=course.live_revision_id,
                name_on_certificate=name,
                jurisdiction_name=jurisdiction_name(enrolment, language),
                language=language,
                issued_at=issued_at,
                expires_at=add_months(issued_at, months) if months else None,
            )
    except IntegrityError:
        return Certificate.objects.get(enrolment=enrolment), False
    transaction.on_commit(
        lambda: certificate_issued.send(sender=Certificate, certificate=certificate)
    )
    return certificate, True


@transaction.atomic
def set_certificate_name(user, name):
    """Save the learner's name on certificate and issue every certificate they have earned but
    not yet received. Idempotent: running it again issues nothing new. Returns the new
    certificates."""
    user.name_on_certificate = name
    user.save(update_fields=["name_on_certificate"])
    return issue_earned_certificates(user)


@transaction.atomic
def issue_earned_certificates(user):
    """Issue every certificate the user has earned but not received (none while they have no
    name). Idempotent. Returns the new certificates."""
    if not holder_name(user):
        return []
    issued = []
    for enrolment in earned_without_certificate(user).select_for_update(of=("self",)):
        enrolment.user = user
        certificate, created = issue_certificate(enrolment)
        if created:
            issued.append(certificate)
    return issued
