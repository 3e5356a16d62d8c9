"""The audit log: each manager and staff action leaves one entry, with who did it, the action
and the organisation it belongs to; Lantern's actions have readable labels in Wagtail's log."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from courses import audit
from courses.cohorts import services as cohorts
from courses.models import Certificate, Enrolment
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def entries(action):
    return list(ModelLogEntry.objects.filter(action=action).order_by("id"))


def only_entry(action):
    found = entries(action)
    assert len(found) == 1, found
    return found[0]


def cohort_url(cohort, name, *args):
    return reverse(f"courses:{name}", args=[cohort.public_id, *args])


class TestRegistration:
    def test_every_action_has_a_label(self):
        for action in audit.FORMATTERS:
            assert registry.action_exists(action)
            assert str(registry.get_action_label(action))

    @pytest.mark.parametrize("action", [audit.MFA_ENABLED, audit.MFA_DISABLED, audit.ADMIN_LOGIN])
    def test_account_actions_are_registered_for_others_to_record(self, action, learner):
        entry = audit.record(learner, action, learner)
        assert entry.message and "data" not in entry.message
        assert "organisation_id" not in entry.data

    def test_record_stores_the_organisation_of_a_cohort(self, cohort, manager):
        entry = audit.record(cohort, audit.REMINDERS_SENT, manager, count=2)
        assert entry.data == {"count": 2, "organisation_id": cohort.organisation_id}
        assert entry.user == manager
        assert entry.object_id == str(cohort.pk)


class TestManagerActions:
    @pytest.fixture
    def client(self, client, manager):
        client.force_login(manager)
        return client

    def test_adding_someone_with_an_account_is_an_invitation(
        self, client, manager, cohort, learner
    ):
        client.post(cohort_url(cohort, "cohort_member_add"), {"email": learner.email, "name": ""})
        entry = only_entry(audit.INVITED)
        assert entry.user == manager and entry.data["email"] == learner.email
        assert entries(audit.MEMBER_ADDED) == []

    def test_the_learners_answers_are_recorded_for_the_organisation(
        self, client, manager, cohort, learner, make_user
    ):
        other = make_user("other@example.org")
        for person in (learner, other):
            cohorts.add_people(cohort, [(person.email, "")], added_by=manager)
        learner_client, other_client = Client(), Client()
        learner_client.force_login(learner)
        other_client.force_login(other)
        invitation = cohort.invitations.get(email=learner.email)
        learner_client.post(reverse("courses:invitation_accept", args=[invitation.pk]))
        other_invitation = cohort.invitations.get(email=other.email)
        other_client.post(reverse("courses:invitation_decline", args=[other_invitation.pk]))
        learner_client.post(reverse("courses:cohort_leave", args=[cohort.public_id]))
        for action in (audit.INVITATION_ACCEPTED, audit.MEMBER_LEFT):
            entry = only_entry(action)
            assert entry.user == learner
            assert entry.data["organisation_id"] == cohort.organisation_id
        declined = only_entry(audit.INVITATION_DECLINED)
        assert declined.user == other
        assert declined.message.lower() == "other@example.org declined the invitation"

    def test_inviting_someone_without_an_account(self, client, manager, cohort):
        client.post(cohort_url(cohort, "cohort_member_add"), {"email": "new@example.org"})
        entry = only_entry(audit.INVITED)
        assert entry.user == manager
        assert entry.data["organisation_id"] == cohort.organisation_id
        assert entry.data["email"] == "new@example.org"
        assert entries(audit.MEMBER_ADDED) == []

    def test_someone_already_in_leaves_no_entry(self, client, cohort, learner):
        cohorts.join(cohort, learner)
        client.post(cohort_url(cohort, "cohort_member_add"), {"email": learner.email})
        assert entries(audit.MEMBER_ADDED) == []

    def test_removing_a_member(self, client, manager, cohort, learner):
        cohorts.join(cohort, learner)
        response = client.post(cohort_url(cohort, "cohort_member_remove", learner.pk))
        assert response.status_code == 302
        entry = only_entry(audit.MEMBER_REMOVED)
        assert entry.user == manager
        assert entry.data["organisation_id"] == cohort.organisation_id
        assert entry.data["email"] == learner.email

    def test_the_removal_confirmation_page_records_nothing(self, client, cohort, learner):
        cohorts.join(cohort, learner)
        client.get(cohort_url(cohort, "cohort_member_remove", learner.pk))
        assert entries(audit.MEMBER_REMOVED) == []

    def test_committing_an_upload_records_the_counts_once(
        self, client, manager, cohort, learner, make_user
    ):
        cohorts.join(cohort, make_user("already@example.org"))
        text = (
            "email,name\n"
            f"{learner.email},Lena\n"
            "new.one@example.org,New One\n"
            "already@example.org,\n"
            "not-an-email,Broken\n"
        )
        upload = client.post(
            cohort_url(cohort, "cohort_upload"),
            {"file": SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")},
        )
        token = upload.url.split("?preview=")[1]
        assert entries(audit.UPLOAD_COMMITTED) == []  # a preview is not an action
        client.post(cohort_url(cohort, "cohort_upload"), {"token": token, "valid_only": "on"})
        entry = only_entry(audit.UPLOAD_COMMITTED)
        assert entry.user == manager
        assert entry.data == {
            "filename": "staff.csv",
            "added": 0,
            "invited": 2,
            "already": 1,
            "left_out": 1,
            "organisation_id": cohort.organisation_id,
        }
        assert "staff.csv: 0 added, 2 invited, 1 already there, 1 rows left out" in entry.message
        # The rows themselves are in the upload's entry, not one entry each.
        assert entries(audit.MEMBER_ADDED) == [] and entries(audit.INVITED) == []

    def test_downloading_the_report(self, client, manager, cohort, small_course):
        response = client.get(cohort_url(cohort, "cohort_export"), {"status": "overdue"})
        b"".join(response.streaming_content)
        entry = only_entry(audit.REPORT_DOWNLOADED)
        assert entry.user == manager
        assert entry.data["organisation_id"] == cohort.organisation_id
        assert entry.data["course"] == small_course.title
        assert entry.data["status"] == "overdue"

    def test_sending_reminders_records_the_count(
        self, client, manager, organisation, small_course, make_user
    ):
        late = factories.make_cohort(
            small_course, organisation=organisation, name="Late", due_on=date(2020, 1, 31)
        )
        for n in range(2):
            cohorts.join(late, make_user(f"late{n}@example.org"))
        client.post(cohort_url(late, "cohort_remind"))
        entry = only_entry(audit.REMINDERS_SENT)
        assert entry.user == manager
        assert entry.data == {"count": 2, "organisation_id": organisation.pk}
        client.post(cohort_url(late, "cohort_remind"))  # already reminded today: nobody sent
        assert len(entries(audit.REMINDERS_SENT)) == 1


class TestStaffActions:
    def test_granting_and_removing_the_manager_role(
        self, admin_client, admin_user, organisation, manager, make_user
    ):
        deputy = make_user("deputy@example.org")
        url = reverse("organisations:edit", args=[organisation.pk])
        form = {"name": organisation.name, "kind": organisation.kind}
        admin_client.post(url, {**form, "manager_emails": f"{manager.email}\n{deputy.email}"})
        granted = only_entry(audit.MANAGER_ADDED)
        assert granted.user == admin_user
        assert granted.object_id == str(organisation.pk)
        assert granted.data == {
            "user_id": deputy.pk,
            "email": deputy.email,
            "organisation_id": organisation.pk,
        }
        assert entries(audit.MANAGER_REMOVED) == []

        admin_client.post(url, {**form, "manager_emails": deputy.email})
        removed = only_entry(audit.MANAGER_REMOVED)
        assert removed.user == admin_user
        assert removed.data["email"] == manager.email
        assert removed.data["organisation_id"] == organisation.pk
        assert len(entries(audit.MANAGER_ADDED)) == 1  # the deputy stayed: nothing new

    def test_a_new_organisations_managers(self, admin_client, admin_user, make_user):
        lead = make_user("lead@example.org")
        admin_client.post(
            reverse("organisations:add"),
            {"name": "Harbour College", "kind": "school", "manager_emails": lead.email},
        )
        entry = only_entry(audit.MANAGER_ADDED)
        assert entry.user == admin_user and entry.data["email"] == lead.email
        assert entry.data["organisation_id"] == lead.managed_organisations.get().pk

    def test_revoking_a_cohort_members_certificate(
        self, admin_client, admin_user, cohort, small_course, learner
    ):
        enrolment = Enrolment.objects.create(user=learner, course=small_course, cohort=cohort)
        certificate = Certificate.objects.create(
            enrolment=enrolment,
            user=learner,
            course=small_course,
            course_title=small_course.title,
            name_on_certificate="Lena Novak",
        )
        admin_client.post(
            reverse("certificates:revoke", args=[certificate.pk]), {"reason": "Issued in error"}
        )
        entry = only_entry(audit.CERTIFICATE_REVOKED)
        assert entry.user == admin_user
        assert entry.data == {
            "reason": "Issued in error",
            "organisation_id": cohort.organisation_id,
        }
        assert entry.message == "Revoked. Reason: Issued in error"
        assert "Issued in error" not in audit.manager_message(entry)  # the reason is for staff


class TestAdminLogin:
    def test_signing_in_to_the_admin_records_an_entry(self, client, make_user):
        editor = make_user("editor@example.org")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        response = client.post(
            reverse("account_login") + "?next=/admin/",
            {"login": editor.email, "password": PASSWORD},
        )
        assert response.status_code == 302
        entry = only_entry(audit.ADMIN_LOGIN)
        assert entry.user == editor and entry.object_id == str(editor.pk)
        assert "organisation_id" not in entry.data

    def test_a_learner_signing_in_records_nothing(self, client, learner):
        assert client.login(email=learner.email, password=PASSWORD)
        assert entries(audit.ADMIN_LOGIN) == []
