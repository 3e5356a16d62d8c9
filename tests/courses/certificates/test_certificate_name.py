"""A certificate carries a name, never an email address: a learner with no name is asked for
one, and saving it issues the certificates they have earned."""

import importlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from courses.models import Certificate, Enrolment
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "nameless@example.org"
NAME_URL = reverse("courses:certificate_name")


@pytest.fixture
def nameless(make_user):
    return make_user(EMAIL)


def complete_through_the_site(client, lessons, capture):
    """Enrol and complete every lesson with real POSTs, running on-commit receivers."""
    course_page = lessons[0].course
    client.post(reverse("courses:enrol", args=[course_page.pk]))
    with capture(execute=True):
        for lesson in lessons:
            response = client.post(reverse("courses:complete_lesson", args=[lesson.pk]))
            assert response.status_code == 302
    return Enrolment.objects.get(user__email=EMAIL, course=course_page)


@pytest.fixture
def completed(client, nameless, course, django_capture_on_commit_callbacks):
    """The nameless learner, logged in, has completed the course (and so earned a certificate)."""
    client.force_login(nameless)
    return complete_through_the_site(client, course[1], django_capture_on_commit_callbacks)


class TestNoNameNoCertificate:
    def test_certificate_name_never_falls_back_to_the_email(self, nameless):
        assert nameless.certificate_name == ""
        nameless.first_name = "Ama"
        assert nameless.certificate_name == "Ama"
        nameless.name_on_certificate = "  Ama Mensah  "
        assert nameless.certificate_name == "Ama Mensah"

    def test_completing_without_a_name_issues_nothing(self, completed):
        assert completed.completed_at is not None
        assert not Certificate.objects.exists()

    def test_a_name_field_holding_an_email_is_not_a_name(
        self, client, make_user, course, django_capture_on_commit_callbacks
    ):
        user = make_user("typed@example.org", first_name="typed@example.org")
        client.force_login(user)
        course_page, lessons = course
        client.post(reverse("courses:enrol", args=[course_page.pk]))
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                client.post(reverse("courses:complete_lesson", args=[lesson.pk]))
        assert not Certificate.objects.exists()
        assert (
            b'action="%s"' % NAME_URL.encode() in client.get(reverse("courses:dashboard")).content
        )

    def test_the_database_refuses_a_nameless_certificate_with_a_holder(self, nameless, course):
        for blank in ["", "   "]:
            with pytest.raises(IntegrityError), transaction.atomic():
                Certificate.objects.create(
                    user=nameless, course_title="Test course", name_on_certificate=blank
                )
        # The minimal record left when a holder deletes their account has no name: allowed.
        Certificate.objects.create(user=None, course_title="Test course", name_on_certificate="")


class TestPrompt:
    def test_my_learning_asks_for_the_name_with_a_csrf_protected_form(self, client, completed):
        response = client.get(reverse("courses:dashboard"))
        content = response.content.decode()
        assert "Your certificate needs your name" in content
        assert f'<form method="post" action="{NAME_URL}"' in content
        assert 'name="csrfmiddlewaretoken"' in content
        assert 'name="name_on_certificate"' in content and 'maxlength="200"' in content
        assert EMAIL not in content.split('id="certificates-title"')[1]

    def test_the_course_page_asks_for_the_name(self, client, completed, course):
        content = client.get(course[0].url).content.decode()
        assert "Your certificate needs your name" in content
        assert f'action="{NAME_URL}"' in content

    def test_no_prompt_for_a_learner_with_a_name(
        self, client, learner, course, django_capture_on_commit_callbacks
    ):
        client.force_login(learner)
        course_page, lessons = course
        enrolment = progress_enrol(learner, course_page)
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                client.post(reverse("courses:complete_lesson", args=[lesson.pk]))
        assert Certificate.objects.get(enrolment=enrolment).name_on_certificate == "Lena Novak"
        assert (
            b"Your certificate needs your name"
            not in client.get(reverse("courses:dashboard")).content
        )
        assert b"Your certificate needs your name" not in client.get(course_page.url).content

    def test_no_prompt_before_completing(self, client, nameless, course):
        client.force_login(nameless)
        client.post(reverse("courses:enrol", args=[course[0].pk]))
        assert (
            b"Your certificate needs your name"
            not in client.get(reverse("courses:dashboard")).content
        )

    def test_the_form_page_lists_what_is_waiting(self, client, completed):
        response = client.get(NAME_URL)
        assert response.status_code == 200
        assert b"Test course" in response.content


def progress_enrol(user, course_page):
    from courses.learning import services as progress

    return progress.enrol(user, course_page)[0]


class TestSavingTheName:
    def test_saving_issues_the_certificate_with_that_name(self, client, completed):
        response = client.post(NAME_URL, {"name_on_certificate": "  Ama   Mensah ", "next": "/"})
        assert response.status_code == 302 and response["Location"] == "/"
        certificate = Certificate.objects.get()
        assert certificate.enrolment == completed
        assert certificate.name_on_certificate == "Ama Mensah"
        assert certificate.issued_at == completed.completed_at
        completed.user.refresh_from_db()
        assert completed.user.name_on_certificate == "Ama Mensah"
        follow = client.get(reverse("courses:dashboard")).content.decode()
        assert "Your certificate needs your name" not in follow
        assert certificate.code in follow

    def test_submitting_twice_issues_one_certificate(self, client, completed):
        client.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        client.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        assert Certificate.objects.count() == 1

    def test_every_earned_certificate_is_issued_at_once(
        self, client, completed, course_index, django_capture_on_commit_callbacks
    ):
        _other, lessons = factories.make_course(
            course_index, slug="second", title="Second course", modules=1, lessons_per_module=1
        )
        complete_through_the_site(client, lessons, django_capture_on_commit_callbacks)
        assert not Certificate.objects.exists()
        client.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        assert sorted(Certificate.objects.values_list("course_title", flat=True)) == [
            "Second course",
            "Test course",
        ]

    @pytest.mark.parametrize(
        ("typed", "error"),
        [
            ("", b"Enter the name to print"),
            ("   \t ", b"Enter the name to print"),
            ("\x00\x01", b"Null characters are not allowed"),
            ("\x01\x02\x7f", b"Enter the name to print"),
            ("x" * 201, b"under 200 characters"),
            (EMAIL, b"not an email address"),
            ("someone.else@example.com", b"not an email address"),
        ],
    )
    def test_invalid_names_are_refused(self, client, completed, typed, error):
        response = client.post(NAME_URL, {"name_on_certificate": typed})
        assert response.status_code == 400
        assert error in response.content
        assert not Certificate.objects.exists()
        completed.user.refresh_from_db()
        assert completed.user.name_on_certificate == ""

    def test_the_longest_name_is_accepted(self, client, completed):
        assert client.post(NAME_URL, {"name_on_certificate": "y" * 200}).status_code == 302
        assert Certificate.objects.get().name_on_certificate == "y" * 200

    def test_markup_is_stored_as_typed_and_shown_escaped(self, client, completed):
        client.post(NAME_URL, {"name_on_certificate": "<b>Ama</b> & Co"})
        certificate = Certificate.objects.get()
        assert certificate.name_on_certificate == "<b>Ama</b> & Co"
        page = client.get(reverse("courses:verify_code", args=[certificate.code])).content
        assert b"&lt;b&gt;Ama&lt;/b&gt; &amp; Co" in page and b"<b>Ama</b>" not in page

    def test_csrf_is_required(self, completed, nameless):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(nameless)
        response = strict.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        assert response.status_code == 403
        assert not Certificate.objects.exists()

    def test_needs_login(self, client):
        response = client.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        assert response.status_code == 302 and "login" in response["Location"]
        assert not Certificate.objects.exists()

    def test_only_get_and_post(self, client, completed):
        assert client.put(NAME_URL).status_code == 405

    def test_an_outside_next_is_ignored(self, client, completed):
        response = client.post(
            NAME_URL, {"name_on_certificate": "Ama Mensah", "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("courses:dashboard")

    def test_saving_a_name_in_the_account_page_issues_too(self, client, completed):
        response = client.post(
            reverse("account"),
            {"first_name": "Ama", "last_name": "Mensah", "name_on_certificate": ""},
        )
        assert response.status_code == 302
        assert Certificate.objects.get().name_on_certificate == "Ama Mensah"


class TestNoEmailAnywhere:
    """The verify page, the printable page, the PDF and the badge, for the issued certificate."""

    def test_third_parties_never_see_the_email(self, client, completed):
        client.post(NAME_URL, {"name_on_certificate": "Ama Mensah"})
        certificate = Certificate.objects.get()
        verify = client.get(reverse("courses:verify_code", args=[certificate.code]))
        assert b"Ama Mensah" in verify.content and EMAIL.encode() not in verify.content
        status = client.get(reverse("credentials:certificate_status", args=[certificate.code]))
        assert EMAIL.encode() not in status.content
        badge = client.get(reverse("courses:certificate_badge", args=[certificate.code]))
        document = json.loads(badge.content)
        assert EMAIL not in badge.content.decode()
        names = [
            identifier["identityHash"]
            for identifier in document["credentialSubject"]["identifier"]
            if identifier["identityType"] == "name"
        ]
        assert names == ["Ama Mensah"]
        pdf = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert EMAIL.encode() not in pdf.content


class TestMigration:
    """Certificates issued before names were required, with the email as the name."""

    def run(self):
        module = importlib.import_module("courses.migrations.0007_certificate_named_holder")
        module.remove_email_names(apps, None)

    def test_the_email_is_replaced_by_the_name_or_the_certificate_removed(self, make_user, course):
        named = make_user("named@example.org", first_name="Ama", last_name="Mensah")
        nameless = make_user("nobody@example.org")
        kept = make_user("kept@example.org", first_name="Kept")
        replaced = self.make_for(named, course[0], "Named@Example.org")
        removed = self.make_for(nameless, course[0], "nobody@example.org")
        untouched = self.make_for(kept, course[0], "Dr Kept")
        self.run()
        replaced.refresh_from_db()
        assert replaced.name_on_certificate == "Ama Mensah"
        assert not Certificate.objects.filter(pk=removed.pk).exists()
        assert Enrolment.objects.filter(user=nameless, completed_at__isnull=False).exists()
        untouched.refresh_from_db()
        assert untouched.name_on_certificate == "Dr Kept"

    def make_for(self, user, course_page, name):
        from django.utils import timezone

        enrolment = Enrolment.objects.create(
            user=user, course=course_page, completed_at=timezone.now()
        )
        return Certificate.objects.create(
            user=user, enrolment=enrolment, course_title="Old course", name_on_certificate=name
        )


class TestEmailsTypedAsNames:
    def test_an_email_in_a_name_field_is_skipped_for_the_next_name(self, make_user):
        user = make_user("x@example.org", first_name="Ama", last_name="Mensah")
        user.name_on_certificate = "x@example.org"
        assert user.certificate_name == "Ama Mensah"
        user.first_name, user.last_name = "x@example.org", ""
        assert user.certificate_name == ""

    def test_the_account_page_refuses_an_email_as_the_name_on_certificate(self, client, learner):
        client.force_login(learner)
        response = client.post(
            reverse("account"),
            {"first_name": "Lena", "last_name": "Novak", "name_on_certificate": "lena@example.org"},
        )
        assert response.status_code == 400
        assert b"not an email address" in response.content
        learner.refresh_from_db()
        assert learner.name_on_certificate == ""

    def test_the_account_page_says_when_there_is_no_name(self, client, nameless):
        client.force_login(nameless)
        content = client.get(reverse("account")).content.decode()
        assert "Certificates will show" not in content
        assert "never an email address" in content
