"""Staff manage organisations, their managers and cohorts in the Wagtail admin."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from courses.cohorts import services as cohorts
from courses.models import Cohort, Enrolment, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(make_user):
    return factories.make_organisation(
        "Harbour Police Academy", managers=[make_user("manager@example.org")], kind="police"
    )


class TestOrganisationAdmin:
    def test_staff_create_an_organisation_with_managers_by_email(self, admin_client, make_user):
        make_user("Lead@Example.org")
        response = admin_client.post(
            reverse("organisations:add"),
            {
                "name": "Riverside School District",
                "kind": "school",
                "contact_name": "Ada Obi",
                "contact_email": "ada@example.org",
                "manager_emails": "lead@example.org\n",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        organisation = Organisation.objects.get(name="Riverside School District")
        assert [m.email for m in organisation.managers.all()] == ["lead@example.org"]

    def test_unknown_manager_emails_are_a_form_error_and_nothing_is_saved(self, admin_client):
        response = admin_client.post(
            reverse("organisations:add"),
            {"name": "Nowhere Ltd", "kind": "company", "manager_emails": "ghost@example.org"},
        )
        assert response.status_code == 200
        assert b"No account uses ghost@example.org" in response.content
        assert not Organisation.objects.filter(name="Nowhere Ltd").exists()

    def test_malformed_manager_email_is_a_form_error(self, admin_client):
        response = admin_client.post(
            reverse("organisations:add"),
            {"name": "Nowhere Ltd", "kind": "company", "manager_emails": "not-an-email"},
        )
        assert response.status_code == 200
        assert b"is not an email address" in response.content

    def test_edit_shows_and_replaces_managers(self, admin_client, organisation, make_user):
        url = reverse("organisations:edit", args=[organisation.pk])
        assert b"manager@example.org" in admin_client.get(url).content
        make_user("second@example.org")
        response = admin_client.post(
            url,
            {"name": organisation.name, "kind": "police", "manager_emails": "second@example.org"},
        )
        assert response.status_code == 302
        assert [m.email for m in organisation.managers.all()] == ["second@example.org"]

    def test_listing_filters_by_kind_and_searches(self, admin_client, organisation):
        factories.make_organisation("Northbridge Trust & Safety", kind="company")
        listing = admin_client.get(reverse("organisations:index"), {"kind": "police"})
        assert b"Harbour Police Academy" in listing.content
        assert b"Northbridge" not in listing.content
        found = admin_client.get(reverse("organisations:index"), {"q": "northbridge"})
        assert b"Northbridge" in found.content and b"Harbour" not in found.content


class TestCohortAdmin:
    def test_create_a_cohort_for_a_course(self, admin_client, organisation, course):
        response = admin_client.post(
            reverse("cohorts:add"),
            {
                "organisation": organisation.pk,
                "name": "Autumn recruits",
                "courses": [course[0].pk],
                "starts_on": "2030-01-10",
                "due_on": "2030-03-31",
                "seat_limit": "40",
                "is_active": "on",
                "invite_enabled": "on",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        cohort = Cohort.objects.get(name="Autumn recruits")
        assert list(cohort.courses.all()) == [course[0]]
        assert len(cohort.invite_code) == 12

    def test_due_before_start_is_a_form_error(self, admin_client, organisation, course):
        response = admin_client.post(
            reverse("cohorts:add"),
            {
                "organisation": organisation.pk,
                "name": "Backwards",
                "courses": [course[0].pk],
                "starts_on": "2030-03-10",
                "due_on": "2030-01-31",
            },
        )
        assert response.status_code == 200
        assert b"on or after the start date" in response.content
        assert not Cohort.objects.filter(name="Backwards").exists()

    def test_seat_limit_below_the_people_already_in_is_refused(
        self, admin_client, organisation, course, make_user
    ):
        cohort = factories.make_cohort(course[0], organisation=organisation)
        for n in range(3):
            cohorts.join(cohort, make_user(f"m{n}@example.org"))
        response = admin_client.post(
            reverse("cohorts:edit", args=[cohort.pk]),
            {
                "organisation": organisation.pk,
                "name": cohort.name,
                "courses": [course[0].pk],
                "seat_limit": "2",
                "is_active": "on",
            },
        )
        assert response.status_code == 200
        assert b"3 places are already taken" in response.content
        cohort.refresh_from_db()
        assert cohort.seat_limit is None

    def test_a_new_due_date_and_course_reach_the_members(
        self,
        admin_client,
        organisation,
        course,
        course_index,
        learner,
        django_capture_on_commit_callbacks,
    ):
        second, _lessons = factories.make_course(course_index, slug="second-course")
        cohort = factories.make_cohort(
            course[0], organisation=organisation, due_on=date(2030, 1, 31)
        )
        cohorts.join(cohort, learner)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("cohorts:edit", args=[cohort.pk]),
                {
                    "organisation": organisation.pk,
                    "name": cohort.name,
                    "courses": [course[0].pk, second.pk],
                    "due_on": "2030-02-28",
                    "is_active": "on",
                },
            )
        assert response.status_code == 302
        due_dates = {e.course_id: e.due_at.date() for e in Enrolment.objects.filter(user=learner)}
        assert due_dates == {course[0].pk: date(2030, 2, 28), second.pk: date(2030, 2, 28)}

    def test_a_relative_due_date_counts_from_joining(
        self, admin_client, organisation, course, learner, django_capture_on_commit_callbacks
    ):
        from datetime import timedelta

        from django.utils import timezone

        cohort = factories.make_cohort(course[0], organisation=organisation)
        cohorts.join(cohort, learner)
        data = {
            "organisation": organisation.pk,
            "name": cohort.name,
            "courses": [course[0].pk],
            "due_on": "2030-02-28",
            "due_within_days": "21",
            "is_active": "on",
        }
        response = admin_client.post(reverse("cohorts:edit", args=[cohort.pk]), data)
        assert b"not both" in response.content
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("cohorts:edit", args=[cohort.pk]), {**data, "due_on": ""}
            )
        assert response.status_code == 302
        enrolment = Enrolment.objects.get(user=learner)
        assert enrolment.due_at.date() == timezone.localdate() + timedelta(days=21)

    def test_a_past_due_date_needs_the_confirmation(self, admin_client, organisation, course):
        data = {
            "organisation": organisation.pk,
            "name": "Late start",
            "courses": [course[0].pk],
            "due_on": "2020-01-31",
            "is_active": "on",
        }
        response = admin_client.post(reverse("cohorts:add"), data)
        assert b"people who join now are overdue at once" in response.content
        assert not Cohort.objects.filter(name="Late start").exists()
        response = admin_client.post(reverse("cohorts:add"), {**data, "confirm_past_due": "on"})
        assert response.status_code == 302
        assert Cohort.objects.get(name="Late start").due_on == date(2020, 1, 31)

    def test_listing_filters_by_organisation_and_links_to_the_report(
        self, admin_client, organisation, course
    ):
        cohort = factories.make_cohort(course[0], organisation=organisation, name="Alpha")
        other = factories.make_organisation("Other Org")
        factories.make_cohort(course[0], organisation=other, name="Beta")
        for n in range(3):
            cohorts.add_people(cohort, [(f"p{n}@example.org", "")])
        response = admin_client.get(reverse("cohorts:index"), {"organisation": organisation.pk})
        assert b"Alpha" in response.content and b"Beta" not in response.content
        assert response.context["object_list"][0].member_count == 0  # invitations aren't members
        assert reverse("courses:cohort", args=[cohort.public_id]).encode() in response.content


class TestMembersAndInvitationsAdmin:
    def test_lists_are_read_only(self, admin_client, organisation, course, learner):
        cohort = factories.make_cohort(course[0], organisation=organisation)
        membership, _ = cohorts.join(cohort, learner)
        cohorts.add_people(cohort, [("pending@example.org", "Pat")])
        members = admin_client.get(reverse("cohort_members:index"), {"cohort": cohort.pk})
        assert b"Lena Novak" in members.content or b"learner@example.org" in members.content
        invitations = admin_client.get(reverse("cohort_invitations:index"))
        assert b"pending@example.org" in invitations.content
        assert admin_client.get(reverse("cohort_members:add")).status_code in (302, 403)
        assert admin_client.post(
            reverse("cohort_members:delete", args=[membership.pk])
        ).status_code in (302, 403)
        assert cohort.memberships.count() == 1


class TestWhoSeesTheAdmin:
    @pytest.mark.parametrize(
        "url_name", ["organisations:index", "cohorts:index", "cohort_members:index"]
    )
    def test_editors_and_managers_do_not(self, client, organisation, make_user, url_name):
        editor = make_user("editor@example.org")
        editor.groups.add(Group.objects.get(name="Editors"))
        for person in (editor, organisation.managers.get()):
            client.force_login(person)
            response = client.get(reverse(url_name))
            assert response.status_code in (302, 403)
            assert b"Harbour Police Academy" not in response.content

    def test_staff_with_permissions_do(self, client, organisation, make_user):
        officer = make_user("officer@example.org")
        officer.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_organisation"),
            Permission.objects.get(codename="change_organisation"),
        )
        client.force_login(officer)
        assert b"Harbour Police Academy" in client.get(reverse("organisations:index")).content
        assert client.get(reverse("cohorts:index")).status_code in (302, 403)
