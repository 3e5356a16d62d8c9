"""Open Badges 3.0: the credential document, its download, and the public status endpoint."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates.open_badges import (
    build_credential,
    identity_hash,
    identity_salt,
    iso_utc,
    public_status,
)
from courses.models import Certificate

pytestmark = pytest.mark.django_db

BASE = "https://lantern.example"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def certificate(course, learner):
    course_page, _ = course
    return Certificate.objects.create(
        user=learner,
        course=course_page,
        course_title=course_page.title,
        name_on_certificate="Łucja Żółć",
        expires_at=timezone.now() + timedelta(days=730),
    )


def badge_url(certificate):
    return reverse("courses:certificate_badge", args=[certificate.code])


def status_url(certificate):
    return reverse("credentials:certificate_status", args=[certificate.code])


class TestCredentialDocument:
    def test_required_open_badges_fields(self, certificate):
        document = build_credential(certificate, BASE, issuer="Lantern")
        assert document["@context"] == [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ]
        assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert document["id"] == f"{BASE}/verify/{certificate.code}/"
        assert document["name"] == "Test course"
        assert document["issuer"] == {
            "id": "did:web:lantern.example",
            "type": ["Profile"],
            "name": "Lantern",
            "url": f"{BASE}/",
        }
        assert ISO_Z.match(document["validFrom"])
        assert document["validFrom"] == iso_utc(certificate.issued_at)
        assert ISO_Z.match(document["validUntil"])
        subject = document["credentialSubject"]
        assert subject["type"] == ["AchievementSubject"]
        achievement = subject["achievement"]
        assert achievement["id"] == f"{BASE}{certificate.course.url}"
        assert achievement["type"] == ["Achievement"]
        assert achievement["name"] == "Test course"
        assert achievement["description"] == "A course for tests."
        assert achievement["criteria"]["narrative"] == (
            "Complete every lesson of Test course and pass any quizzes it includes."
        )
        certificate.refresh_from_db()
        position = certificate.status_list_index % 131_072
        list_url = f"{BASE}/credentials/status/{certificate.status_list_index // 131_072}/"
        assert document["credentialStatus"] == {
            "id": f"{list_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": list_url,
        }
        json.dumps(document)  # plain JSON all the way down

    def test_the_email_is_only_present_salted_and_hashed(self, certificate, learner):
        document = build_credential(certificate, BASE)
        email_identity, name_identity = document["credentialSubject"]["identifier"]
        salt = email_identity["salt"]
        assert email_identity == {
            "type": "IdentityObject",
            "identityHash": "sha256$"
            + hashlib.sha256(("learner@example.org" + salt).encode()).hexdigest(),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }
        assert len(salt) == 32
        assert name_identity == {
            "type": "IdentityObject",
            "identityHash": "Łucja Żółć",
            "identityType": "name",
            "hashed": False,
        }
        text = json.dumps(document, ensure_ascii=False)
        assert "learner@example.org" not in text and "learner" not in text
        assert "example.org" not in text

    def test_the_hash_ignores_case_and_the_salt_is_stable(self, certificate):
        salt = identity_salt(certificate)
        assert identity_salt(certificate) == salt
        assert identity_hash("Learner@Example.org", salt) == identity_hash(
            "learner@example.org", salt
        )
        assert build_credential(certificate, BASE) == build_credential(certificate, BASE)
        other = Certificate.objects.create(course_title="Other", name_on_certificate="X")
        assert identity_salt(other) != salt

    def test_without_an_expiry_there_is_no_valid_until(self, certificate):
        certificate.expires_at = None
        assert "validUntil" not in build_credential(certificate, BASE)

    def test_the_criteria_follow_the_course_completion_rule(self, certificate):
        certificate.course.completion_rule = "lessons"
        narrative = build_credential(certificate, BASE)["credentialSubject"]["achievement"][
            "criteria"
        ]["narrative"]
        assert narrative == "Complete every lesson of Test course."

    def test_a_deleted_course_still_gives_a_complete_achievement(self, certificate):
        certificate.course = None
        achievement = build_credential(certificate, BASE)["credentialSubject"]["achievement"]
        assert achievement["id"].startswith("urn:uuid:")
        assert achievement["description"] == "The course Test course."
        assert achievement["name"] == "Test course" and achievement["criteria"]["narrative"]
        again = build_credential(certificate, BASE)["credentialSubject"]["achievement"]
        assert again["id"] == achievement["id"]

    def test_a_deleted_account_leaves_no_identifier(self, certificate):
        certificate.user = None
        certificate.name_on_certificate = ""
        subject = build_credential(certificate, BASE)["credentialSubject"]
        assert "identifier" not in subject and subject["achievement"]["name"]

    def test_the_base_url_defaults_to_the_site_address(self, certificate, settings):
        settings.WAGTAILADMIN_BASE_URL = "https://training.example.org"
        document = build_credential(certificate)
        assert document["issuer"]["id"] == "did:web:training.example.org"
        assert document["issuer"]["url"] == "https://training.example.org/"
        assert document["id"].startswith("https://training.example.org/verify/")


class TestBadgeDownload:
    def test_the_owner_downloads_the_credential(self, client, certificate, learner, settings):
        settings.WAGTAILADMIN_BASE_URL = "http://testserver"
        client.force_login(learner)
        response = client.get(badge_url(certificate))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/ld+json"
        assert response["Content-Disposition"] == (
            f'attachment; filename="lantern-badge-{certificate.code}.json"'
        )
        document = json.loads(response.content)
        assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert document["id"] == f"http://testserver/verify/{certificate.code}/"
        assert document["issuer"]["name"] == "Lantern"
        assert "Łucja Żółć" in response.content.decode()  # UTF-8, not escaped
        assert b"learner@example.org" not in response.content

    def test_the_issuer_name_setting_is_used(self, client, certificate, learner, settings):
        settings.LANTERN_CERTIFICATE_ISSUER_NAME = "Northbridge Safeguarding Partnership"
        client.force_login(learner)
        document = json.loads(client.get(badge_url(certificate)).content)
        assert document["issuer"]["name"] == "Northbridge Safeguarding Partnership"

    def test_another_learner_gets_404(self, client, certificate, make_user):
        client.force_login(make_user("other@example.org"))
        assert client.get(badge_url(certificate)).status_code == 404

    def test_anonymous_visitors_are_asked_to_sign_in(self, client, certificate):
        response = client.get(badge_url(certificate))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_staff_who_may_view_certificates_can_download(self, client, certificate, staff):
        client.force_login(staff)
        response = client.get(badge_url(certificate))
        assert response.status_code == 200
        # The staff member's own email is never used as the recipient.
        assert b"records@example.org" not in response.content

    def test_a_revoked_certificate_is_not_downloadable(self, client, certificate, learner):
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        client.force_login(learner)
        response = client.get(badge_url(certificate))
        assert response.status_code == 410
        assert b"This certificate was revoked" in response.content

    def test_the_status_list_in_the_credential_answers(
        self, client, certificate, learner, settings
    ):
        settings.WAGTAILADMIN_BASE_URL = "http://testserver"
        client.force_login(learner)
        document = json.loads(client.get(badge_url(certificate)).content)
        client.logout()
        response = client.get(document["credentialStatus"]["statusListCredential"])
        assert response.status_code == 200
        assert response.json()["type"] == [
            "VerifiableCredential",
            "BitstringStatusListCredential",
        ]


class TestStatusEndpoint:
    def test_anyone_can_read_the_status_and_nothing_personal(self, client, certificate):
        response = client.get(status_url(certificate))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Access-Control-Allow-Origin"] == "*"
        data = response.json()
        assert data["status"] == "valid"
        assert data["credential"] == f"http://testserver/verify/{certificate.code}/"
        assert data["validFrom"] == iso_utc(certificate.issued_at)
        assert b"learner@example.org" not in response.content
        assert "Łucja".encode() not in response.content and b"\\u0141" not in response.content

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"expires_at": timedelta(days=10)}, "valid"),  # expiring soon is still valid
            ({"expires_at": timedelta(days=-1)}, "expired"),
            ({"revoked_at": timedelta(0)}, "revoked"),
        ],
    )
    def test_statuses(self, client, certificate, change, expected):
        now = timezone.now()
        Certificate.objects.filter(pk=certificate.pk).update(
            **{field: now + delta for field, delta in change.items()}
        )
        data = client.get(status_url(certificate)).json()
        assert data["status"] == expected
        certificate.refresh_from_db()
        assert public_status(certificate, BASE)["status"] == expected
        if expected == "revoked":
            assert ISO_Z.match(data["revokedAt"])

    def test_unknown_codes_get_a_json_404(self, client, certificate):
        for code in ["A" * 20, "not-a-code", "0" * 20]:
            response = client.get(reverse("credentials:certificate_status", args=[code]))
            assert response.status_code == 404
            assert response.json() == {"error": "not_found"}

    @pytest.mark.usefixtures("fresh_minute")
    def test_lookups_are_rate_limited_with_the_verify_page(self, client, certificate):
        for _ in range(20):
            client.get(reverse("courses:verify_code", args=[certificate.code]))
        statuses = [client.get(status_url(certificate)).status_code for _ in range(15)]
        assert statuses[0] == 200 and statuses[-1] == 429
        assert client.get(status_url(certificate)).json() == {"error": "too_many_requests"}
