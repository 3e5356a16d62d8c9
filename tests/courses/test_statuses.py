"""One vocabulary each for certificate and enrolment statuses: the model's status() and the
database annotation agree in every state, at the edges of the renewal window and due dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.learning import services as progress
from courses.models import Certificate, CertificateStatus, Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(course, learner):
    course_page, _lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    return enrolment


@pytest.mark.parametrize(
    "revoked,expires_in_days,expected",
    [
        (False, None, CertificateStatus.VALID),
        (False, 61, CertificateStatus.VALID),
        (False, 59, CertificateStatus.EXPIRING),
        (False, 1, CertificateStatus.EXPIRING),
        (False, -1, CertificateStatus.EXPIRED),
        (True, 365, CertificateStatus.REVOKED),
        (True, -1, CertificateStatus.REVOKED),
    ],
)
def test_certificate_status_agrees_with_the_annotation_and_the_filter(
    enrolment, settings, revoked, expires_in_days, expected
):
    settings.LANTERN_CERTIFICATE_RENEWAL_DAYS = 60
    now = timezone.now()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        user=enrolment.user,
        course=enrolment.course,
        name_on_certificate="Lena Novak",
        course_title=enrolment.course.title,
        expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days),
        revoked_at=now if revoked else None,
    )
    assert certificate.status(now) == expected
    annotated = Certificate.objects.with_status(now).get(pk=certificate.pk)
    assert annotated.current_status == expected
    for status in CertificateStatus:
        found = Certificate.objects.filter_status(status, now).filter(pk=certificate.pk).exists()
        assert found == (status == expected), status
    assert expected.is_valid == (expected in {CertificateStatus.VALID, CertificateStatus.EXPIRING})


@pytest.mark.parametrize(
    "change,expected",
    [
        ({}, EnrolmentStatus.NOT_STARTED),
        ({"lessons_completed": 1}, EnrolmentStatus.IN_PROGRESS),
        ({"due_at": -1}, EnrolmentStatus.OVERDUE),
        ({"due_at": 1, "lessons_completed": 2}, EnrolmentStatus.IN_PROGRESS),
        ({"due_at": -1, "completed_at": True}, EnrolmentStatus.COMPLETED),
        ({"completed_at": True, "unenrolled_at": True}, EnrolmentStatus.LEFT),
        ({"unenrolled_at": True}, EnrolmentStatus.LEFT),
    ],
)
def test_enrolment_status_agrees_with_the_annotation(enrolment, change, expected):
    now = timezone.now()
    fields = {}
    for name, value in change.items():
        if name == "due_at":
            fields[name] = now + timedelta(days=value)
        elif value is True:
            fields[name] = now - timedelta(hours=1)
        else:
            fields[name] = value
    Enrolment.objects.filter(pk=enrolment.pk).update(**fields)
    enrolment.refresh_from_db()
    assert enrolment.status(now) == expected
    assert Enrolment.objects.with_status(now).get(pk=enrolment.pk).current_status == expected
