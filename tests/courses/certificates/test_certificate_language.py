"""Certificates in the holder's language: issued in the language the holder chose, with the
course title and jurisdiction of that language's translations (else the source words), and
printed, emailed and shown to the holder in it; the public check page keeps the visitor's
language and shows what was issued."""

import io
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from courses.certificates import signing
from courses.certificates.open_badges import signed_credential
from courses.certificates.pdf import render_certificate_pdf
from courses.certificates.services import issue_certificate
from courses.learning import privacy
from courses.learning import services as progress
from courses.models import Certificate, CoursePage, Jurisdiction
from courses.models.certificates import default_language
from tests import factories
from tests.courses.certificates.test_signed_credentials import did_key

pytestmark = pytest.mark.django_db

WORDS = {
    "Test course": "Curso de prueba",
    "A test course.": "Un curso de prueba.",
    "United States": "Estados Unidos",
}


def spanish_words(text):
    return WORDS.get(text, text)


@pytest.fixture
def spanish_course(spanish, course, django_capture_on_commit_callbacks):
    """The 2 × 2 course with a published Spanish translation (its parents copied into the
    Spanish tree as aliases, as wagtail-localize's Translate action does) and a jurisdiction
    with a Spanish name. Returns (course, lessons)."""
    course_page, lessons = course
    course_page.summary = "A test course."
    course_page.save_revision().publish()
    course_page.get_parent().specific.copy_for_translation(spanish, copy_parents=True, alias=True)
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes then
        translated = factories.translate_by_po(course_page, spanish, spanish_words)
    translated.refresh_from_db()
    assert translated.title == "Curso de prueba" and translated.live
    us = Jurisdiction.objects.create(code="us", name="United States")
    factories.translate_by_po(us, spanish, spanish_words)
    course_page.jurisdictions.add(us)
    course_page.save_revision().publish()
    return CoursePage.objects.get(pk=course_page.pk), lessons


def complete(course, user, captured):
    """Enrol `user` (for the US), complete every lesson and return the certificate."""
    course_page, lessons = course
    enrolment, _ = progress.enrol(user, course_page)
    progress.set_jurisdiction(enrolment, progress.choice_for_code(course_page, "us"))
    with captured(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)
    return Certificate.objects.get(enrolment=enrolment)


def pdf_text(client, certificate):
    response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader.pages[0].extract_text()


@pytest.fixture
def hablante(make_user):
    return make_user("hablante@example.org", first_name="Lucía", last_name="Pérez", language="es")


@pytest.fixture
def speaker(make_user):
    return make_user("speaker@example.org", first_name="Sam", last_name="Lee")


class TestIssuedInTheHoldersLanguage:
    def test_a_spanish_learner_gets_a_spanish_certificate(
        self, client, spanish_course, hablante, django_capture_on_commit_callbacks
    ):
        certificate = complete(spanish_course, hablante, django_capture_on_commit_callbacks)
        assert certificate.language == "es"
        assert certificate.course_title == "Curso de prueba"
        assert certificate.jurisdiction_name == "Estados Unidos"
        client.force_login(hablante)
        text = pdf_text(client, certificate)
        assert "Certificado de finalización" in text
        assert "Curso de prueba" in text and "Jurisdicción: Estados Unidos" in text
        assert "Certificate of completion" not in text and "Test course" not in text

    def test_an_english_learner_gets_an_english_certificate(
        self, client, spanish_course, speaker, django_capture_on_commit_callbacks
    ):
        certificate = complete(spanish_course, speaker, django_capture_on_commit_callbacks)
        assert certificate.language == "en-gb"
        assert certificate.course_title == "Test course"
        assert certificate.jurisdiction_name == "United States"
        client.force_login(speaker)
        text = pdf_text(client, certificate)
        assert "Certificate of completion" in text and "Test course" in text
        assert "Jurisdiction: United States" in text and "Certificado" not in text

    def test_without_a_translation_the_source_words_are_used(
        self, spanish, course, hablante, django_capture_on_commit_callbacks
    ):
        course_page, lessons = course
        enrolment, _ = progress.enrol(hablante, course_page)
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                progress.complete_lesson(enrolment, lesson)
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert (certificate.language, certificate.course_title) == ("es", "Test course")
        # The fixed words are still Spanish.
        with translation.override("en-gb"):
            text = PdfReader(io.BytesIO(render_certificate_pdf(certificate, "https://x.test/")))
        assert "Certificado de finalización" in text.pages[0].extract_text()

    def test_a_draft_translation_is_not_used(
        self, spanish_course, hablante, django_capture_on_commit_callbacks
    ):
        course_page, _ = spanish_course
        course_page.get_translation(hablante_locale()).specific.unpublish()
        certificate = complete(spanish_course, hablante, django_capture_on_commit_callbacks)
        assert certificate.course_title == "Test course"

    def test_changing_language_later_changes_nothing_issued(
        self, client, spanish_course, hablante, django_capture_on_commit_callbacks
    ):
        certificate = complete(spanish_course, hablante, django_capture_on_commit_callbacks)
        hablante.language = "fr"
        hablante.save()
        again, created = issue_certificate(certificate.enrolment)
        assert again == certificate and not created
        certificate.refresh_from_db()
        assert certificate.language == "es" and certificate.course_title == "Curso de prueba"
        client.force_login(hablante)
        assert "Certificado de finalización" in pdf_text(client, certificate)

    def test_recertifying_uses_the_language_at_that_time(
        self, spanish_course, hablante, django_capture_on_commit_callbacks
    ):
        first = complete(spanish_course, hablante, django_capture_on_commit_callbacks)
        hablante.language = ""
        hablante.save()
        course_page, lessons = spanish_course
        Certificate.objects.filter(pk=first.pk).update(expires_at=first.issued_at)
        enrolment = progress.recertify(hablante, course_page)
        assert enrolment.cycle == 2
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                progress.complete_lesson(enrolment, lesson)
        second = Certificate.objects.get(enrolment=enrolment)
        assert (second.language, second.course_title) == ("en-gb", "Test course")
        first.refresh_from_db()
        assert (first.language, first.course_title) == ("es", "Curso de prueba")

    def test_the_holders_data_download_gives_the_language(
        self, spanish_course, hablante, django_capture_on_commit_callbacks
    ):
        complete(spanish_course, hablante, django_capture_on_commit_callbacks)
        [exported] = privacy.export_user_data(hablante)["certificates"]
        assert (exported["language"], exported["course"]) == ("es", "Curso de prueba")
        assert exported["jurisdiction"] == "Estados Unidos"

    def test_certificates_from_before_have_the_sites_language(self, settings):
        assert default_language() == settings.LANGUAGE_CODE == "en-gb"


def hablante_locale():
    from wagtail.models import Locale

    return Locale.objects.get(language_code="es")


class TestShownInTheCertificatesLanguage:
    @pytest.fixture
    def certificate(self, spanish_course, hablante, django_capture_on_commit_callbacks):
        return complete(spanish_course, hablante, django_capture_on_commit_callbacks)

    def test_the_holders_page_shows_the_certificate_in_its_language(
        self, client, certificate, hablante
    ):
        client.force_login(hablante)
        html = client.get(reverse("courses:certificate", args=[certificate.code])).content
        html = html.decode()
        assert 'lang="es"' in html
        assert "Certificado de finalización" in html and "Jurisdicción: Estados Unidos" in html
        # The page around it stays in the interface language (English here).
        assert "Back to My learning" in html

    def test_the_check_page_keeps_the_visitors_language(self, client, certificate):
        url = reverse("courses:verify_code", args=[certificate.code])
        english = client.get(url).content.decode()
        assert "<dt>Course</dt>" in english and "Curso de prueba" in english
        assert '<dd lang="es">Estados Unidos</dd>' in english
        # A visitor reading Spanish sees the Spanish interface around the same snapshot.
        with translation.override("es"):
            spanish_url = reverse("courses:verify_code", args=[certificate.code])
        assert spanish_url.startswith("/es/")
        spanish = client.get(spanish_url).content.decode()
        assert '<html lang="es"' in spanish and "<dt>Course</dt>" not in spanish
        assert "Curso de prueba" in spanish and "Estados Unidos" in spanish

    def test_the_completion_email_is_in_the_certificates_language(self, certificate):
        (message,) = [m for m in mail.outbox if m.to == ["hablante@example.org"]]
        assert "Curso de prueba" in message.body
        assert "Su certificado:" in message.body

    def test_the_credential_is_in_the_certificates_language_and_verifies(
        self, client, certificate, hablante
    ):
        client.force_login(hablante)
        for language in ("en-gb", "es"):
            with translation.override(language):
                url = reverse("courses:certificate_badge", args=[certificate.code])
            response = client.get(url)
            document = json.loads(response.content)
            achievement = document["credentialSubject"]["achievement"]
            assert document["name"] == achievement["name"] == "Curso de prueba"
            assert achievement["inLanguage"] == "es"
            assert achievement["description"].startswith("Un curso de prueba.")
            assert (
                "Completado con la orientación para Estados Unidos." in (achievement["description"])
            )
            assert signing.verify(document, did_key(document, client))
        # Every download is the same document, whatever the language of the request.
        with translation.override("es"):
            spanish = signed_credential(certificate)
        assert spanish == signed_credential(certificate)
