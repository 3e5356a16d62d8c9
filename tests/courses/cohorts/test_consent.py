"""Nobody's record reaches a manager without their say-so: invitations are accepted or
declined on My learning, only from a verified address, and people can leave."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import (
    CohortDeparture,
    CohortInvitation,
    CohortMembership,
    DepartureKind,
    Enrolment,
)
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def invite(cohort, email, by):
    [invitation] = cohorts.add_people(cohort, [(email, "")], added_by=by).invited
    return invitation


def report_html(client, cohort):
    response = client.get(reverse("courses:cohort", args=[cohort.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def export_rows(client, cohort):
    response = client.get(reverse("courses:cohort_export", args=[cohort.public_id]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class TestMyLearningShowsTheInvitation:
    def test_with_the_organisation_courses_due_date_and_what_the_manager_sees(
        self, cohort, manager, learner
    ):
        invite(cohort, learner.email, manager)
        page = logged_in(learner).get(reverse("courses:dashboard")).content.decode()
        assert "Northbridge Trust &amp; Safety invites you to Moderators, spring" in page
        assert "Recognising exploitation" in page
        assert "30 June 2030" in page
        assert "What the organisation will see if you accept" in page
        assert "nothing about other courses" in page
        accept = reverse("courses:invitation_accept", args=[cohort.invitations.get().pk])
        assert f'action="{accept}"' in page
        assert not CohortMembership.objects.exists()

    def test_an_unverified_account_sees_only_a_request_to_confirm_its_address(
        self, cohort, manager, make_user
    ):
        """Whoever typed someone else's address into the sign-up form learns nothing."""
        squatter = make_user("learner@example.org", verified=False)
        invite(cohort, squatter.email, manager)
        client = logged_in(squatter)
        page = client.get(reverse("courses:dashboard")).content.decode()
        assert "Confirm your email address to see the invitation" in page
        assert "Northbridge" not in page and "Moderators" not in page
        invitation = cohort.invitations.get()
        response = client.post(reverse("courses:invitation_accept", args=[invitation.pk]))
        assert response.status_code == 403
        assert not CohortMembership.objects.exists()
        assert cohort.invitations.get().is_pending

    def test_an_unverified_account_cannot_join_by_link_either(self, cohort, make_user):
        person = make_user("walk.in@example.org", verified=False)
        response = logged_in(person).post(reverse("courses:join", args=[cohort.invite_code]))
        assert response.status_code == 403
        assert b"confirm your email address" in response.content
        assert not CohortMembership.objects.exists()


class TestAccepting:
    def test_accepting_joins_and_takes_the_due_date(self, cohort, manager, learner, small_course):
        invitation = invite(cohort, learner.email, manager)
        response = logged_in(learner).post(
            reverse("courses:invitation_accept", args=[invitation.pk])
        )
        assert response.status_code == 302
        membership = CohortMembership.objects.get(cohort=cohort, user=learner)
        assert membership.added_by == manager
        enrolment = Enrolment.objects.get(user=learner, course=small_course)
        assert enrolment.cohort == cohort and enrolment.due_at == cohort.due_at
        assert not cohort.invitations.exists()

    def test_an_existing_enrolment_keeps_its_due_date_until_acceptance(
        self, cohort, manager, learner, small_course
    ):
        enrolment, _created = progress.enrol(learner, small_course)
        invite(cohort, learner.email, manager)
        enrolment.refresh_from_db()
        assert enrolment.due_at is None and enrolment.cohort is None

    def test_someone_elses_invitation_is_a_404(self, cohort, manager, learner, make_user):
        invitation = invite(cohort, "someone.else@example.org", manager)
        client = logged_in(learner)
        for name in ("courses:invitation_accept", "courses:invitation_decline"):
            assert client.post(reverse(name, args=[invitation.pk])).status_code == 404
        assert cohort.invitations.get().is_pending
        assert not CohortMembership.objects.exists()

    def test_answers_are_post_only_and_need_login(self, client, cohort, manager, learner):
        invitation = invite(cohort, learner.email, manager)
        url = reverse("courses:invitation_accept", args=[invitation.pk])
        assert logged_in(learner).get(url).status_code == 405
        response = client.post(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert not CohortMembership.objects.exists()

    def test_a_withdrawn_invitation_cannot_be_accepted(self, cohort, manager, learner):
        invitation = invite(cohort, learner.email, manager)
        url = reverse("courses:invitation_accept", args=[invitation.pk])
        invitation.delete()
        response = logged_in(learner).post(url)
        assert response.status_code == 404
        assert b"no longer open" in response.content

    def test_accepting_twice_is_harmless(self, cohort, manager, learner):
        invitation = invite(cohort, learner.email, manager)
        client = logged_in(learner)
        url = reverse("courses:invitation_accept", args=[invitation.pk])
        client.post(url)
        assert client.post(url).status_code == 404
        assert CohortMembership.objects.filter(user=learner).count() == 1


class TestDeclining:
    def test_declining_frees_the_seat_and_the_manager_sees_it(
        self, cohort, manager, manager_client, learner
    ):
        cohort.seat_limit = 1
        cohort.save()
        invitation = invite(cohort, learner.email, manager)
        assert cohorts.seats_left(cohort) == 0
        logged_in(learner).post(reverse("courses:invitation_decline", args=[invitation.pk]))
        assert cohorts.seats_left(cohort) == 1
        assert not CohortMembership.objects.exists()
        page = report_html(manager_client, cohort)
        assert "Declined the invitation" in page
        assert "No pending invitations." in page

    def test_a_declined_person_can_be_invited_again(self, cohort, manager, learner):
        invitation = invite(cohort, learner.email, manager)
        cohorts.decline_invitation(learner, invitation.pk)
        again = invite(cohort, learner.email, manager)
        assert again.pk == invitation.pk and again.is_pending


class TestLeaving:
    def test_leaving_asks_first_then_the_manager_sees_left(
        self, cohort, manager, manager_client, learner, small_course
    ):
        invitation = invite(cohort, learner.email, manager)
        cohorts.accept_invitation(learner, invitation.pk)
        assert "Lena Novak" in report_html(manager_client, cohort)
        client = logged_in(learner)
        url = reverse("courses:cohort_leave", args=[cohort.public_id])
        assert b"Leave the cohort" in client.get(url).content
        assert CohortMembership.objects.filter(user=learner).exists()
        response = client.post(url)
        assert response.status_code == 302
        assert not CohortMembership.objects.filter(user=learner).exists()
        departure = CohortDeparture.objects.get(user=learner)
        assert departure.kind == DepartureKind.LEFT
        enrolment = Enrolment.objects.get(user=learner, course=small_course)
        assert enrolment.cohort is None and enrolment.due_at is None
        page = report_html(manager_client, cohort)
        assert "Left the cohort" in page
        rows = export_rows(manager_client, cohort)
        assert not any("learner@example.org" in cell for row in rows for cell in row)

    def test_my_learning_lists_my_cohorts_with_a_leave_link(self, cohort, learner):
        cohorts.join(cohort, learner)
        page = logged_in(learner).get(reverse("courses:dashboard")).content.decode()
        assert "Your cohorts" in page
        leave = reverse("courses:cohort_leave", args=[cohort.public_id])
        name = f"{cohort.name}, with {cohort.organisation.name}".replace("&", "&amp;")
        assert name in page
        assert f'<a href="{leave}">Leave<span class="visually-hidden"> {cohort.name}' in page

    def test_nobody_can_leave_for_someone_else(self, cohort, learner, make_user):
        cohorts.join(cohort, learner)
        other = make_user("other@example.org")
        url = reverse("courses:cohort_leave", args=[cohort.public_id])
        assert logged_in(other).post(url).status_code == 404
        assert CohortMembership.objects.filter(user=learner).exists()


class TestAcrossOrganisations:
    def test_manager_b_never_sees_a_member_of_a_before_they_accept(
        self, cohort, learner, make_user, small_course
    ):
        cohorts.join(cohort, learner)  # in organisation A's cohort, with progress
        enrolment = progress.current_enrolment(learner, small_course)
        progress.complete_lesson(enrolment, progress.course_lessons(small_course)[0])
        manager_b = make_user("manager@eastfield.example", first_name="Bea", last_name="B")
        organisation_b = factories.make_organisation("Eastfield Schools", managers=[manager_b])
        cohort_b = factories.make_cohort(small_course, organisation=organisation_b, name="B team")
        client_b = logged_in(manager_b)
        invite(cohort_b, learner.email, manager_b)
        page = report_html(client_b, cohort_b)
        assert "Lena" not in page and "Novak" not in page
        rows = export_rows(client_b, cohort_b)
        learner_rows = [row for row in rows if "learner@example.org" in row]
        assert len(learner_rows) == 1 and "Invited" in learner_rows[0]
        assert not any("Completed" in cell for cell in learner_rows[0])
        # A's cohort stays out of B's reach altogether.
        assert client_b.get(reverse("courses:cohort", args=[cohort.public_id])).status_code == 404

    def test_an_unverified_manager_has_no_manager_rights(self, make_user, small_course):
        manager = make_user("new.manager@example.org", verified=False)
        organisation = factories.make_organisation("Westmoor Police", managers=[manager])
        cohort = factories.make_cohort(small_course, organisation=organisation)
        client = logged_in(manager)
        assert client.get(reverse("courses:cohort", args=[cohort.public_id])).status_code == 404
        assert b'href="/manage/"' not in client.get(reverse("courses:dashboard")).content
        factories.verify_email(manager)
        assert client.get(reverse("courses:cohort", args=[cohort.public_id])).status_code == 200


class TestInvitationsHoldNoSecretsForTheWrongPerson:
    def test_pending_invitations_are_for_the_verified_owner_only(self, cohort, manager, learner):
        invite(cohort, learner.email, manager)
        assert list(cohorts.pending_invitations_for(learner)) == list(
            CohortInvitation.objects.all()
        )
        learner.email = "changed@example.org"
        learner.save()
        learner.__dict__.pop("_lantern_email_verified", None)
        assert list(cohorts.pending_invitations_for(learner)) == []
