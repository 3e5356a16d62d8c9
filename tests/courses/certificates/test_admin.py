"""Staff find certificates in the admin and revoke one with a reason; nobody edits them."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses.certificates.admin import REVOKE_ACTION
from courses.learning import services as progress
from courses.models import Certificate, Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(course, learner, django_capture_on_commit_callbacks):
    """Lena's certificate, issued by completing the course for real."""
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)
    return Certificate.objects.get(user=learner)


def make_certificate(user, course_page, issued_days_ago=10, expires_in_days=700, **fields):
    now = timezone.now()
    enrolment = Enrolment.objects.create(
        user=user, course=course_page, completed_at=now - timedelta(days=issued_days_ago)
    )
    return Certificate.objects.create(
        enrolment=enrolment,
        user=user,
        course=course_page,
        course_title=course_page.title,
        name_on_certificate=user.certificate_name or "Alex Holder",
        issued_at=now - timedelta(days=issued_days_ago),
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        **fields,
    )


def staff(make_user, email, *codenames):
    user = make_user(email)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    return user


def revoke_url(certificate):
    return reverse("certificates:revoke", args=[certificate.pk])


def revoke_logs(certificate):
    return ModelLogEntry.objects.filter(action=REVOKE_ACTION, object_id=str(certificate.pk))


class TestCertificateIndexView:
    def get(self, client, **params):
        return client.get(reverse("certificates:index"), params)

    def test_lists_code_name_course_dates_and_status(self, admin_client, certificate):
        response = self.get(admin_client)
        assert response.status_code == 200
        content = response.content.decode()
        assert certificate.display_code in content
        assert "Lena Novak" in content and "Test course" in content
        assert timezone.localtime(certificate.issued_at).strftime("%b %Y") in content
        assert "Valid" in content
        assert reverse("certificates:inspect", args=[certificate.pk]) in content
        assert revoke_url(certificate) in content
        assert reverse("certificates:add") not in content
        assert reverse("certificates:edit", args=[certificate.pk]) not in content

    def test_in_the_admin_menu(self, admin_client, certificate):
        home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
        assert reverse("certificates:index") in home

    @pytest.mark.parametrize(
        "query",
        ["learner@example", "lena novak", "test cour", "CODE", "code-dashed", "code-lower"],
    )
    def test_search(self, admin_client, certificate, make_user, course, query):
        make_certificate(
            make_user("sam@example.org", first_name="Sam", last_name="Reyes"), course[0]
        )
        query = {
            "CODE": certificate.code[:8],
            "code-dashed": certificate.display_code,
            "code-lower": certificate.display_code.lower()[:9],
        }.get(query, query)
        content = self.get(admin_client, q=query).content.decode()
        assert certificate.display_code in content
        if query != "test cour":
            assert "Sam Reyes" not in content

    def test_search_finds_nothing_without_a_match(self, admin_client, certificate):
        content = self.get(admin_client, q="nobody@example.net").content.decode()
        assert certificate.display_code not in content

    def test_filters(self, admin_client, certificate, make_user, course_index):
        other_course, _ = factories.make_course(
            course_index, slug="other", title="Other course", modules=1, lessons_per_module=1
        )
        expiring = make_certificate(make_user("e@example.org"), other_course, expires_in_days=20)
        expired = make_certificate(make_user("x@example.org"), other_course, expires_in_days=-3)
        revoked = make_certificate(
            make_user("r@example.org"), other_course, revoked_at=timezone.now()
        )
        old = make_certificate(make_user("o@example.org"), other_course, issued_days_ago=400)
        everyone = {certificate, expiring, expired, revoked, old}

        def listed(**params):
            content = self.get(admin_client, **params).content.decode()
            return {c for c in everyone if c.display_code in content}

        assert listed() == everyone
        assert listed(status="valid") == {certificate, old}
        assert listed(status="expiring") == {expiring}
        assert listed(status="expired") == {expired}
        assert listed(status="revoked") == {revoked}
        assert listed(course=certificate.course_id) == {certificate}
        assert listed(course=other_course.pk, status="valid") == {old}
        since = (timezone.localdate() - timedelta(days=30)).isoformat()
        until = (timezone.localdate() - timedelta(days=300)).isoformat()
        assert listed(issued_at_from=since) == everyone - {old}
        assert listed(issued_at_to=until) == {old}

    def test_listing_queries_do_not_grow_with_rows(
        self, admin_client, make_user, course, django_assert_max_num_queries
    ):
        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                assert self.get(admin_client).status_code == 200
            return len(queries)

        certificates = [
            make_certificate(make_user(f"holder{n}@example.org"), course[0]) for n in range(5)
        ]
        few = count_queries()
        certificates += [
            make_certificate(make_user(f"holder{n}@example.org"), course[0]) for n in range(5, 50)
        ]
        with django_assert_max_num_queries(15):
            response = self.get(admin_client)
        content = response.content.decode()
        assert all(c.display_code in content for c in certificates)
        assert count_queries() == few


class TestCertificateInspectView:
    def test_shows_the_record_and_offers_revoke_and_history(self, admin_client, certificate):
        response = admin_client.get(reverse("certificates:inspect", args=[certificate.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        assert certificate.display_code in content and "learner@example.org" in content
        assert "Valid" in content
        assert not re.search(r"<dd>\s*None\s*</dd>", content)
        assert revoke_url(certificate) in content
        assert reverse("certificates:history", args=[certificate.pk]) in content

    def test_a_deleted_account_leaves_a_nameless_record(self, admin_client, certificate, learner):
        learner.delete()
        response = admin_client.get(reverse("certificates:inspect", args=[certificate.pk]))
        assert response.status_code == 200
        assert b"Deleted (the name was removed" in response.content


class TestCertificateRevokeView:
    def get(self, client, certificate):
        return client.get(revoke_url(certificate))

    def post(self, client, certificate, reason="Issued in error: the course was not completed."):
        return client.post(revoke_url(certificate), {"reason": reason})

    def test_get_shows_a_form_and_changes_nothing(self, admin_client, certificate):
        response = self.get(admin_client, certificate)
        assert response.status_code == 200
        assert b'name="reason"' in response.content
        assert b"csrfmiddlewaretoken" in response.content
        certificate.refresh_from_db()
        assert certificate.revoked_at is None and not revoke_logs(certificate).exists()

    def test_revoking_shows_on_the_verify_page_and_in_the_audit_log(
        self, admin_client, admin_user, certificate, client
    ):
        verify_url = reverse("courses:verify_code", args=[certificate.code])
        assert b"Valid certificate" in client.get(verify_url).content

        response = self.post(admin_client, certificate, "  Issued in error <b>by</b> staff.  ")
        assert response.status_code == 302
        assert response["Location"] == reverse("certificates:inspect", args=[certificate.pk])
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None
        assert certificate.revoked_reason == "Issued in error <b>by</b> staff."

        page = client.get(verify_url).content.decode()
        assert "Revoked certificate" in page
        assert timezone.localtime(certificate.revoked_at).strftime("%B %Y") in page
        assert "Issued in error" not in page  # the reason is for staff only

        (entry,) = revoke_logs(certificate)
        assert entry.user == admin_user
        assert entry.data == {"reason": "Issued in error <b>by</b> staff."}

        history = admin_client.get(reverse("certificates:history", args=[certificate.pk]))
        assert history.status_code == 200
        content = history.content.decode()
        assert "Revoked. Reason: Issued in error &lt;b&gt;by&lt;/b&gt; staff." in content

        site_history = admin_client.get(
            reverse("wagtailadmin_reports:site_history"), {"action": REVOKE_ACTION}
        ).content.decode()
        assert str(certificate) in site_history and "Revoked. Reason:" in site_history
        assert reverse("certificates:inspect", args=[certificate.pk]) in site_history

        inspect = admin_client.get(reverse("certificates:inspect", args=[certificate.pk]))
        assert b"Issued in error" in inspect.content
        assert revoke_url(certificate).encode() not in inspect.content

    @pytest.mark.parametrize("reason", ["", "   \n  "])
    def test_a_reason_is_required(self, admin_client, certificate, reason):
        response = self.post(admin_client, certificate, reason)
        assert response.status_code == 200
        assert b"This field is required" in response.content
        certificate.refresh_from_db()
        assert certificate.revoked_at is None and certificate.revoked_reason == ""
        assert not revoke_logs(certificate).exists()

    def test_an_overlong_reason_is_refused(self, admin_client, certificate):
        response = self.post(admin_client, certificate, "x" * 2001)
        assert response.status_code == 200
        certificate.refresh_from_db()
        assert certificate.revoked_at is None

    def test_an_already_revoked_certificate_is_refused_cleanly(self, admin_client, certificate):
        assert self.post(admin_client, certificate, "First reason").status_code == 302
        certificate.refresh_from_db()
        first_revoked_at = certificate.revoked_at

        response = self.post(admin_client, certificate, "Second reason")
        assert response.status_code == 409
        assert b"already revoked" in response.content
        assert b'name="reason"' not in response.content
        certificate.refresh_from_db()
        assert certificate.revoked_at == first_revoked_at
        assert certificate.revoked_reason == "First reason"
        assert revoke_logs(certificate).count() == 1

        page = self.get(admin_client, certificate)
        assert page.status_code == 200 and b"already revoked" in page.content
        assert b'name="reason"' not in page.content

    def test_a_post_without_the_csrf_token_is_rejected(self, admin_user, certificate):
        client = Client(enforce_csrf_checks=True)
        client.force_login(admin_user)
        response = self.post(client, certificate)
        assert response.status_code == 403
        certificate.refresh_from_db()
        assert certificate.revoked_at is None

    def test_unknown_certificate_is_404(self, admin_client, certificate):
        assert admin_client.get(reverse("certificates:revoke", args=[999999])).status_code == 404


def restore_url(certificate):
    return reverse("certificates:restore", args=[certificate.pk])


class TestRestoreView:
    @pytest.fixture
    def revoked(self, admin_client, certificate):
        admin_client.post(revoke_url(certificate), {"reason": "Looked like a duplicate."})
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None
        return certificate

    def test_the_inspect_page_offers_restore_for_a_revoked_certificate(self, admin_client, revoked):
        inspect = admin_client.get(reverse("certificates:inspect", args=[revoked.pk]))
        assert restore_url(revoked).encode() in inspect.content
        assert revoke_url(revoked).encode() not in inspect.content

    def test_restoring_with_a_reason_shows_valid_again_and_is_logged(
        self, admin_client, admin_user, revoked, client
    ):
        from courses import audit

        page = admin_client.get(restore_url(revoked))
        assert page.status_code == 200 and b"Looked like a duplicate." in page.content
        response = admin_client.post(restore_url(revoked), {"reason": "Not a duplicate."})
        assert response.status_code == 302
        revoked.refresh_from_db()
        assert revoked.revoked_at is None and revoked.revoked_reason == ""
        verify = client.get(reverse("courses:verify_code", args=[revoked.code])).content
        assert b"Valid certificate" in verify
        entry = ModelLogEntry.objects.get(action=audit.CERTIFICATE_RESTORED)
        assert entry.user == admin_user
        assert entry.data["reason"] == "Not a duplicate."
        assert entry.data["revoked_reason"] == "Looked like a duplicate."
        assert revoke_logs(revoked).count() == 1  # the revocation stays on record

    def test_a_reason_is_required(self, admin_client, revoked):
        response = admin_client.post(restore_url(revoked), {"reason": "  "})
        assert response.status_code == 200 and b"This field is required" in response.content
        revoked.refresh_from_db()
        assert revoked.revoked_at is not None

    def test_a_valid_certificate_cannot_be_restored(self, admin_client, certificate):
        response = admin_client.post(restore_url(certificate), {"reason": "Why not"})
        assert response.status_code == 409 and b"not revoked" in response.content

    def test_viewers_cannot_restore(self, client, revoked, make_user):
        client.force_login(staff(make_user, "officer@example.org", "view_certificate"))
        response = client.post(restore_url(revoked), {"reason": "No right to do this"})
        assert response.status_code in (302, 403)
        revoked.refresh_from_db()
        assert revoked.revoked_at is not None


class TestCertificatePermissions:
    def test_viewers_can_read_but_not_revoke(self, client, certificate, make_user):
        client.force_login(staff(make_user, "officer@example.org", "view_certificate"))
        listing = client.get(reverse("certificates:index"))
        assert listing.status_code == 200
        assert certificate.display_code.encode() in listing.content
        assert revoke_url(certificate).encode() not in listing.content
        inspect = client.get(reverse("certificates:inspect", args=[certificate.pk]))
        assert inspect.status_code == 200
        assert revoke_url(certificate).encode() not in inspect.content
        assert client.get(reverse("certificates:history", args=[certificate.pk])).status_code == 200
        assert client.get(revoke_url(certificate)).status_code in (302, 403)
        response = client.post(revoke_url(certificate), {"reason": "No right to do this"})
        assert response.status_code in (302, 403)
        certificate.refresh_from_db()
        assert certificate.revoked_at is None and not revoke_logs(certificate).exists()

    def test_the_change_permission_allows_revoking(self, client, certificate, make_user):
        registrar = staff(make_user, "registrar@example.org", "change_certificate")
        client.force_login(registrar)
        assert client.get(reverse("certificates:index")).status_code == 200
        response = client.post(revoke_url(certificate), {"reason": "Fraudulent completion."})
        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None
        assert revoke_logs(certificate).get().user == registrar

    def test_editors_and_learners_are_kept_out(self, client, certificate, make_user, learner):
        editor = make_user("editor@example.org")
        editor.groups.add(Group.objects.get(name="Editors"))
        for user in (editor, learner):
            client.force_login(user)
            for url in (reverse("certificates:index"), revoke_url(certificate)):
                response = client.get(url)
                assert response.status_code in (302, 403)
                assert certificate.display_code.encode() not in response.content
            assert client.post(revoke_url(certificate), {"reason": "x"}).status_code in (302, 403)
        certificate.refresh_from_db()
        assert certificate.revoked_at is None

    def test_nobody_adds_edits_or_deletes_certificates_here(self, admin_client, certificate):
        assert admin_client.get(reverse("certificates:add")).status_code in (302, 403)
        edit = reverse("certificates:edit", args=[certificate.pk])
        assert admin_client.get(edit).status_code in (302, 403)
        assert admin_client.post(edit, {}).status_code in (302, 403)
        delete = reverse("certificates:delete", args=[certificate.pk])
        assert admin_client.post(delete).status_code in (302, 403)
        assert Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).exists()

    def test_group_settings_offer_only_view_and_change(self, admin_client):
        from courses.certificates.admin import CertificateViewSet

        codenames = set(
            CertificateViewSet("certificates")
            .get_permissions_to_register()
            .values_list("codename", flat=True)
        )
        assert codenames == {"view_certificate", "change_certificate"}
