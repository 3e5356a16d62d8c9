"""Certificates state the jurisdiction the learner trained for (copied at issue)."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from courses.certificates.open_badges import build_credential
from courses.learning import services as progress
from courses.models import Certificate, Jurisdiction

pytestmark = pytest.mark.django_db


def complete(course, learner, captured, code=None):
    course_page, lessons = course
    learner.name_on_certificate = "Lena Novak"
    learner.save()
    enrolment, _ = progress.enrol(learner, course_page)
    if code:
        us = Jurisdiction.objects.create(code=code, name="United States")
        course_page.jurisdictions.add(us)
        course_page.save()
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course_page, code))
    with captured(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)
    return Certificate.objects.get()


@pytest.fixture
def certificate(course, learner, django_capture_on_commit_callbacks):
    return complete(course, learner, django_capture_on_commit_callbacks, code="us")


class TestJurisdictionOnCertificates:
    def test_issued_with_the_enrolments_jurisdiction_kept_after_it_is_renamed(self, certificate):
        assert certificate.jurisdiction_name == "United States"
        Jurisdiction.objects.filter(code="us").update(name="USA (federal)")
        certificate.refresh_from_db()
        assert certificate.jurisdiction_name == "United States"

    def test_general_learners_certificates_name_none(
        self, course, learner, django_capture_on_commit_callbacks, client
    ):
        certificate = complete(course, learner, django_capture_on_commit_callbacks)
        assert certificate.jurisdiction_name == ""
        page = client.get(reverse("courses:verify_code", args=[certificate.code]))
        assert "Jurisdiction" not in page.content.decode()

    def test_the_certificate_page_and_verify_page_show_it(self, client, certificate, learner):
        verify = client.get(reverse("courses:verify_code", args=[certificate.code]))
        assert '<dt>Jurisdiction</dt><dd lang="en-gb">United States</dd>' in verify.content.decode()
        client.force_login(learner)
        page = client.get(reverse("courses:certificate", args=[certificate.code]))
        assert "Jurisdiction: United States" in page.content.decode()

    def test_the_pdf_states_it(self, client, certificate, learner):
        client.force_login(learner)
        response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
        assert response.status_code == 200
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Jurisdiction: United States" in text

    def test_the_open_badge_describes_it_and_stays_plain_json(self, certificate):
        document = build_credential(certificate, "https://lantern.example")
        achievement = document["credentialSubject"]["achievement"]
        assert "United States" in achievement["description"]
        json.dumps(document)


def test_renewing_keeps_where_the_learner_works(certificate, learner):
    from datetime import timedelta

    from django.utils import timezone

    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    enrolment = progress.recertify(learner, certificate.course)
    assert enrolment.cycle == 2
    assert enrolment.jurisdiction.code == "us"
