"""An organisation's activity log in the manager area, and Lantern's entries in the admin's
Site history report."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import audit
from courses.cohorts.views.log import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db


def log_url(organisation):
    return reverse("courses:organisation_log", args=[organisation.public_id])


@pytest.fixture
def other_cohort(small_course, make_user):
    other_manager = make_user("boss@harbour.example")
    other = factories.make_organisation("Harbour College", managers=[other_manager])
    return factories.make_cohort(small_course, organisation=other, name="Harbour staff")


class TestOrganisationLogView:
    def test_lists_the_organisations_entries_newest_first(
        self, manager_client, manager, cohort, other_cohort
    ):
        audit.record(cohort, audit.INVITED, manager, email="first@example.org")
        audit.record(cohort, audit.MEMBER_ADDED, manager, email="second@example.org")
        audit.record(other_cohort, audit.INVITED, manager, email="elsewhere@example.org")
        response = manager_client.get(log_url(cohort.organisation))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Maya Manager" in text
        assert "Invite to cohort" in text and "Add cohort member" in text  # the labels
        assert "Moderators, spring" in text  # which cohort
        assert text.index("second@example.org") < text.index("first@example.org")
        assert "elsewhere@example.org" not in text

    def test_another_organisations_log_is_not_found(self, manager_client, manager, other_cohort):
        audit.record(other_cohort, audit.INVITED, manager, email="elsewhere@example.org")
        response = manager_client.get(log_url(other_cohort.organisation))
        assert response.status_code == 404
        assert b"elsewhere@example.org" not in response.content

    def test_entries_without_an_organisation_are_never_listed(
        self, manager_client, manager, cohort
    ):
        audit.record(manager, audit.ADMIN_LOGIN, manager)
        response = manager_client.get(log_url(cohort.organisation))
        assert b"Sign in with admin access" not in response.content
        assert b"Nothing has been recorded" in response.content

    def test_a_revocation_shows_without_its_reason(self, manager_client, manager, cohort):
        entry = audit.record(cohort, audit.REMINDERS_SENT, manager, count=1)
        entry.action, entry.data["reason"] = audit.CERTIFICATE_REVOKED, "Private staff note"
        entry.label = "Recognising exploitation: Lena Novak"
        entry.save()
        text = manager_client.get(log_url(cohort.organisation)).content.decode()
        assert "Revoke certificate" in text
        assert "Revoked the certificate Recognising exploitation: Lena Novak" in text
        assert "Private staff note" not in text

    def test_paginated(self, manager_client, manager, cohort):
        start = timezone.now()
        for n in range(PAGE_SIZE + 1):
            entry = audit.record(cohort, audit.INVITED, manager, email=f"p{n}@example.org")
            ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=start + timedelta(n))
        first = manager_client.get(log_url(cohort.organisation)).content.decode()
        assert f"p{PAGE_SIZE}@example.org" in first and "p0@example.org" not in first
        assert "Page 1 of 2" in first
        second = manager_client.get(log_url(cohort.organisation), {"page": 2}).content.decode()
        assert "p0@example.org" in second and f"p{PAGE_SIZE}@example.org" not in second

    def test_linked_from_manage_and_the_cohort_page(self, manager_client, cohort):
        url = log_url(cohort.organisation)
        assert url in manager_client.get(reverse("courses:manage")).content.decode()
        page = manager_client.get(reverse("courses:cohort", args=[cohort.public_id]))
        assert url in page.content.decode()

    def test_queries_do_not_grow_with_the_entries(
        self, manager_client, manager, cohort, django_assert_max_num_queries
    ):
        for n in range(20):
            audit.record(cohort, audit.INVITED, manager, email=f"p{n}@example.org")
        # 6 of them the layout's (session, menu; with a cold cache, Wagtail's site root paths
        # read each root page's translations); 1 the check that the manager's address is verified
        with django_assert_max_num_queries(14):
            manager_client.get(log_url(cohort.organisation))


class TestSiteHistoryReport:
    """Staff read every entry in Wagtail's Site history report, with Lantern's labels."""

    def get(self, client, **params):
        return client.get(reverse("wagtailadmin_reports:site_history"), params)

    def test_lists_lantern_entries_with_readable_labels(
        self, admin_client, manager, cohort, other_cohort
    ):
        audit.record(cohort, audit.INVITED, manager, email="first@example.org")
        audit.record(other_cohort, audit.REMINDERS_SENT, manager, count=3)
        audit.record(cohort.organisation, audit.MANAGER_ADDED, None, email="deputy@example.org")
        response = self.get(admin_client)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Invited first@example.org by email" in text
        assert "Reminded 3 overdue members" in text
        assert "Made deputy@example.org a manager of the organisation" in text
        assert "Unknown lantern" not in text

    def test_filters_by_a_lantern_action(self, admin_client, manager, cohort):
        audit.record(cohort, audit.INVITED, manager, email="first@example.org")
        audit.record(cohort, audit.REMINDERS_SENT, manager, count=3)
        response = self.get(admin_client, action=audit.INVITED)
        text = response.content.decode()
        assert "Invite to cohort" in text  # the action filter's choice
        assert "Invited first@example.org by email" in text
        assert "Reminded 3 overdue members" not in text

    def test_staff_who_may_view_cohorts_see_cohort_entries(self, client, make_user, cohort):
        staff = make_user("partnerships@example.org")
        staff.user_permissions.add(
            *Permission.objects.filter(codename__in=["access_admin", "view_cohort"])
        )
        audit.record(cohort, audit.INVITED, staff, email="first@example.org")
        client.force_login(staff)
        response = self.get(client)
        assert response.status_code == 200
        assert "Invited first@example.org by email" in response.content.decode()

    def test_managers_cannot_open_it(self, manager_client):
        response = self.get(manager_client)
        assert response.status_code in (302, 403)
