"""Certificates: issued once per completion, verifiable by anyone, private to their owner."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates.services import add_months, issue_certificate
from courses.learning import services as progress
from courses.models import Certificate, Enrolment
from courses.models.certificates import CODE_ALPHABET, CODE_LENGTH, normalise_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(course, learner, django_capture_on_commit_callbacks):
    course_page, lessons = course
    learner.name_on_certificate = "Nokuthula Ngʼombo-Ramírez"
    learner.save()
    enrolment, _ = progress.enrol(learner, course_page)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)
    return Certificate.objects.get()


class TestIssuing:
    def test_completing_a_course_issues_one_certificate(self, certificate, course):
        course_page, _ = course
        assert certificate.name_on_certificate == "Nokuthula Ngʼombo-Ramírez"
        assert certificate.course_title == "Test course"
        course_page.refresh_from_db()
        assert certificate.course_version == course_page.live_revision_id
        assert certificate.expires_at == add_months(certificate.issued_at, 24)
        assert len(certificate.code) == CODE_LENGTH
        assert set(certificate.code) <= set(CODE_ALPHABET)
        again, created = issue_certificate(certificate.enrolment)
        assert again == certificate and not created
        assert Certificate.objects.count() == 1

    def test_codes_are_unique_and_unguessable(self):
        from courses.models.certificates import new_code

        codes = {new_code() for _ in range(2000)}
        assert len(codes) == 2000

    def test_add_months_clamps_to_the_end_of_the_month(self):
        start = timezone.now().replace(year=2027, month=1, day=31)
        assert add_months(start, 1).day == 28 and add_months(start, 1).month == 2
        assert add_months(start, 12).year == 2028


class TestVerify:
    def test_anyone_can_verify_and_sees_no_email(self, client, certificate):
        response = client.get(reverse("courses:verify_code", args=[certificate.code]))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Valid certificate" in content and "Nokuthula Ngʼombo-Ramírez" in content
        assert "learner@example.org" not in content

    @pytest.mark.parametrize(
        "mangle",
        [
            str.lower,
            lambda c: " ".join(c),
            lambda c: "-".join(c[i : i + 4] for i in range(0, 20, 4)),
        ],
    )
    def test_typed_codes_are_normalised(self, client, certificate, mangle):
        response = client.get(reverse("courses:verify"), {"code": mangle(certificate.code)})
        assert response["Location"] == reverse("courses:verify_code", args=[certificate.code])

    @pytest.mark.parametrize("bad", ["", "x" * 500, "ABCD", "0" * 20, "<script>", "I" * 20])
    def test_bad_codes_get_a_polite_not_found(self, client, certificate, bad):
        response = client.get(reverse("courses:verify"), {"code": bad})
        assert response.status_code in (200, 404)
        assert b"Valid certificate" not in response.content
        assert (
            normalise_code(bad) is None
            or not Certificate.objects.filter(code=normalise_code(bad)).exists()
        )

    def test_expired_and_revoked_are_shown(self, client, certificate):
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
        url = reverse("courses:verify_code", args=[certificate.code])
        assert b"Expired certificate" in client.get(url).content
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        assert b"Revoked certificate" in client.get(url).content

    @pytest.mark.usefixtures("fresh_minute")
    def test_lookups_are_rate_limited(self, client, certificate):
        url = reverse("courses:verify_code", args=[certificate.code])
        statuses = [client.get(url).status_code for _ in range(35)]
        assert statuses[0] == 200 and statuses[-1] == 429


class TestOwnerView:
    def test_owner_sees_the_printable_certificate(self, client, certificate, learner):
        client.force_login(learner)
        response = client.get(reverse("courses:certificate", args=[certificate.code]))
        assert response.status_code == 200
        assert certificate.display_code.encode() in response.content
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert "Test course</a>: valid until" in dashboard

    def test_others_get_404(self, client, certificate, make_user):
        client.force_login(make_user("other@example.org"))
        url = reverse("courses:certificate", args=[certificate.code])
        assert client.get(url).status_code == 404
        client.logout()
        response = client.get(reverse("courses:certificate", args=[certificate.code]))
        assert response.status_code == 302


class TestAccountDeletion:
    def test_only_a_nameless_verification_record_remains(self, client, certificate, learner):
        client.force_login(learner)
        client.post(reverse("delete_account"), {"password": PASSWORD, "confirm": "on"})
        certificate.refresh_from_db()
        assert certificate.user is None and certificate.name_on_certificate == ""
        page = client.get(reverse("courses:verify_code", args=[certificate.code])).content
        assert b"withheld" in page and b"Valid certificate" in page


class TestExpiryAndRecertification:
    def expire(self, certificate, days):
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_at=timezone.now() + timedelta(days=days)
        )
        certificate.refresh_from_db()

    def test_expires_soon_is_shown_and_still_verifies_as_valid(self, client, certificate, learner):
        self.expire(certificate, 20)
        assert certificate.status() == "expiring"
        client.force_login(learner)
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert "expires soon" in dashboard and "Renew: take the course again" in dashboard
        verify = client.get(reverse("courses:verify_code", args=[certificate.code])).content
        assert b"Valid certificate" in verify

    def test_a_valid_certificate_cannot_be_renewed_yet(self, client, certificate, learner, course):
        client.force_login(learner)
        response = client.post(reverse("courses:recertify", args=[course[0].pk]))
        assert response.status_code == 403
        assert learner.enrolments.count() == 1

    def test_someone_never_enrolled_is_told_to_enrol(self, client, course, make_user):
        client.force_login(make_user("someone@example.org"))
        response = client.post(reverse("courses:recertify", args=[course[0].pk]))
        assert response.status_code == 403
        assert "Enrol in" in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_recertify_opens_a_new_cycle_and_issues_a_new_certificate(
        self, client, certificate, learner, course, django_capture_on_commit_callbacks
    ):
        course_page, lessons = course
        self.expire(certificate, -1)
        client.force_login(learner)
        response = client.post(reverse("courses:recertify", args=[course_page.pk]))
        assert response["Location"] == lessons[0].url
        cycles = list(
            learner.enrolments.order_by("cycle").values_list("cycle", "lessons_completed")
        )
        assert cycles == [(1, 4), (2, 0)]
        client.post(reverse("courses:recertify", args=[course_page.pk]))  # twice: still 2
        assert learner.enrolments.count() == 2
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                client.post(reverse("courses:complete_lesson", args=[lesson.pk]))
        statuses = sorted(c.status() for c in Certificate.objects.filter(user=learner))
        assert statuses == ["expired", "valid"]
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert "Renew: take the course again" not in dashboard
