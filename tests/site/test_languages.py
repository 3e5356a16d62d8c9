"""The interface in the learner's language (docs/translation.md): English at the usual
addresses, Spanish, French and Arabic under /es/, /fr/ and /ar/, a language switcher that keeps
the page, and emails in the language a signed-in learner chose."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from courses.learning import services as progress
from courses.learning.tasks import send_course_completed_email
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def html_tag(html):
    return re.search(r"<html[^>]*>", html).group(0)


class TestEnglishAddressesUnchanged:
    def test_front_end_urls_have_no_prefix_in_english(self):
        assert reverse("courses:dashboard") == "/learning/"
        assert reverse("support") == "/support/"
        assert reverse("account_login") == "/account/login/"
        assert reverse("quizzes:detail", args=[3]) == "/quizzes/3/"
        assert reverse("courses:manage") == "/manage/"

    def test_english_pages_are_english(self, client, home_page):
        html = html_of(client.get("/support/"))
        assert 'lang="en-GB"' in html_tag(html)
        assert 'dir="ltr"' in html_tag(html)
        assert "Exit this page" in html
        assert "Helplines and support" in html

    def test_a_language_cookie_does_not_move_an_english_address(self, client, home_page):
        client.cookies["django_language"] = "es"
        html = html_of(client.get("/support/"))
        assert "Exit this page" in html

    def test_machine_urls_have_no_language_prefix(self):
        with translation.override("es"):
            assert reverse("credentials:did_document") == "/.well-known/did.json"
            assert reverse("credentials:credential_status_list", args=[1]) == (
                "/credentials/status/1/"
            )
            assert reverse("set_language") == "/i18n/setlang/"
            assert reverse("courses:dashboard") == "/es/learning/"

    def test_machine_urls_are_not_served_under_a_prefix(self, client):
        assert client.get("/es/.well-known/did.json").status_code == 404
        assert client.get("/es/credentials/status/1/").status_code == 404
        assert client.get("/es/admin/").status_code == 404


class TestSpanishInterface:
    def test_header_quick_exit_and_support_links(self, client, home_page):
        html = html_of(client.get("/es/support/"))
        assert 'lang="es"' in html_tag(html)
        assert 'dir="ltr"' in html_tag(html)
        assert "Salir de esta página" in html  # quick exit
        assert "(o pulse Mayús 3 veces)" in html
        assert "Obtener apoyo ahora" in html
        assert "<h1>Líneas de ayuda y apoyo</h1>" in html
        assert "Ir al contenido principal" in html
        assert "Exit this page" not in html
        # Links stay in Spanish.
        assert 'href="/es/support/"' in html
        assert 'href="/es/privacy/"' in html
        assert 'href="/es/account/login/"' in html

    def test_my_learning_headings(self, client, learner, course):
        progress.enrol(learner, course[0])
        client.force_login(learner)
        html = html_of(client.get("/es/learning/"))
        assert "<h1>Mi aprendizaje</h1>" in html
        assert ">En curso</h2>" in html
        assert ">Certificados</h2>" in html
        assert ">Cerrar sesión</button>" in html

    def test_an_untranslated_page_is_served_in_its_language_with_the_spanish_interface(
        self, client, course
    ):
        course_page, _lessons = course
        assert course_page.url == "/courses/test-course/"
        html = html_of(client.get("/es" + course_page.url))
        assert course_page.title in html  # the content as written
        assert "Esquema del curso" in html  # the interface in Spanish

    def test_content_security_policy_stays_strict(self, client, home_page):
        response = client.get("/es/support/")
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = html_of(response)
        assert "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
        assert " style=" not in html


class TestArabicIsRightToLeft:
    def test_dir_rtl(self, client, home_page):
        html = html_of(client.get("/ar/support/"))
        assert 'lang="ar"' in html_tag(html)
        assert 'dir="rtl"' in html_tag(html)
        assert "اخرج من هذه الصفحة" in html

    def test_french_is_left_to_right(self, client, home_page):
        html = html_of(client.get("/fr/support/"))
        assert 'lang="fr"' in html_tag(html)
        assert 'dir="ltr"' in html_tag(html)


class TestLanguageSwitcher:
    def test_every_page_offers_it_as_a_form(self, client, home_page):
        html = html_of(client.get("/es/privacy/"))
        form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', html, re.S)
        assert form, "the switcher posts to set_language"
        form = form.group(0)
        assert 'name="csrfmiddlewaretoken"' in form
        assert '<input type="hidden" name="next" value="/es/privacy/">' in form
        assert '<label for="language-switcher-select">Idioma</label>' in form
        assert '<option value="es" lang="es" selected>Español</option>' in form
        assert '<option value="ar" lang="ar">العربية</option>' in form
        assert 'type="submit"' in form

    def test_switching_keeps_the_page(self, client, home_page):
        response = client.post(reverse("set_language"), {"language": "fr", "next": "/privacy/"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/fr/privacy/"
        assert response.cookies["django_language"].value == "fr"
        assert "Avis de confidentialité" in html_of(client.get(response.headers["Location"]))

    def test_from_one_translation_to_another_and_back_to_english(self, client, learner):
        client.force_login(learner)
        response = client.post(reverse("set_language"), {"language": "ar", "next": "/es/learning/"})
        assert response.headers["Location"] == "/ar/learning/"
        response = client.post(
            reverse("set_language"), {"language": "en-gb", "next": "/ar/learning/"}
        )
        assert response.headers["Location"] == "/learning/"

    def test_a_signed_in_learners_choice_is_remembered(self, client, learner):
        client.force_login(learner)
        client.post(reverse("set_language"), {"language": "es", "next": "/learning/"})
        learner.refresh_from_db()
        assert learner.language == "es"

    def test_after_signing_in_my_learning_is_in_the_chosen_language(self, client, learner):
        learner.language = "es"
        learner.save()
        response = client.post(
            reverse("account_login"), {"login": learner.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/es/learning/"

    def test_an_unknown_language_changes_nothing(self, client, learner):
        client.force_login(learner)
        response = client.post(reverse("set_language"), {"language": "xx", "next": "/support/"})
        assert response.status_code == 302
        assert response.headers["Location"] == "/support/"
        assert "django_language" not in response.cookies
        learner.refresh_from_db()
        assert learner.language == ""

    def test_an_outside_next_is_refused(self, client):
        response = client.post(
            reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
        )
        assert response.status_code == 302
        assert "evil.example" not in response.headers["Location"]

    def test_only_post_changes_the_language(self, client):
        assert client.get(reverse("set_language"), {"language": "es"}).status_code == 405

    def test_the_form_needs_its_csrf_token(self, home_page):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(reverse("set_language"), {"language": "es", "next": "/"})
        assert response.status_code == 403


class TestEmailsInTheLearnersLanguage:
    def test_the_completion_email_is_in_spanish_with_spanish_links(self, learner, course):
        learner.language = "es"
        learner.save()
        enrolment, _ = progress.enrol(learner, course[0])
        enrolment.completed_at = timezone.now()
        enrolment.save()
        send_course_completed_email.enqueue(enrolment.pk)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject.strip() == "Ha completado un curso en Lantern"
        assert message.body.startswith("Hola:")
        assert f"/es/learning/courses/{course[0].pk}/complete/" in message.body

    def test_without_a_choice_it_is_in_english(self, learner, course):
        enrolment, _ = progress.enrol(learner, course[0])
        enrolment.completed_at = timezone.now()
        enrolment.save()
        send_course_completed_email.enqueue(enrolment.pk)
        assert mail.outbox[0].subject.strip() == "You have completed a course on Lantern"
        assert f"/learning/courses/{course[0].pk}/complete/" in mail.outbox[0].body
        assert "/es/" not in mail.outbox[0].body
