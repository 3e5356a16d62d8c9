"""Cohort services: joining, seat limits, bulk adding, invitations applied at sign-up."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from courses.cohorts import services as cohorts
from courses.models import CohortInvitation, CohortMembership, Enrolment, MembershipSource
from tests import factories


@pytest.fixture
def cohort(course_cohort):
    """In these tests the cohort takes the two-module course (see tests/courses/conftest.py)."""
    return course_cohort


class TestJoin:
    def test_joining_enrols_with_the_cohort_due_date(self, cohort, learner, course):
        membership, created = cohorts.join(cohort, learner)
        assert created
        assert membership.source == MembershipSource.LINK
        enrolment = Enrolment.objects.get(user=learner, course=course[0])
        assert enrolment.cohort == cohort
        assert enrolment.due_at == cohort.due_at
        assert enrolment.due_at.date() == date(2030, 6, 30)
        assert enrolment.lessons_total == 4
        assert enrolment.next_lesson == course[1][0]

    def test_joining_twice_is_one_membership(self, cohort, learner):
        cohorts.join(cohort, learner)
        _membership, created = cohorts.join(cohort, learner)
        assert not created
        assert CohortMembership.objects.filter(cohort=cohort).count() == 1

    def test_an_existing_enrolment_keeps_its_progress_and_gets_the_due_date(
        self, cohort, learner, course
    ):
        from courses.learning import services as progress

        enrolment, _ = progress.enrol(learner, course[0])
        progress.complete_lesson(enrolment, course[1][0])
        cohorts.join(cohort, learner)
        enrolment.refresh_from_db()
        assert enrolment.lessons_completed == 1
        assert enrolment.due_at == cohort.due_at
        assert Enrolment.objects.filter(user=learner).count() == 1

    def test_a_full_cohort_refuses_with_a_message(self, cohort, make_user):
        cohort.seat_limit = 1
        cohort.save()
        cohorts.join(cohort, make_user("a@example.org"))
        with pytest.raises(cohorts.CohortFull, match="free places"):
            cohorts.join(cohort, make_user("b@example.org"))
        assert cohort.memberships.count() == 1

    def test_a_closed_cohort_refuses(self, cohort, learner):
        cohort.is_active = False
        cohort.save()
        with pytest.raises(cohorts.CohortClosed):
            cohorts.join(cohort, learner)
        assert not Enrolment.objects.filter(user=learner).exists()

    def test_removing_keeps_progress_but_drops_the_due_date(self, cohort, learner, course):
        cohorts.join(cohort, learner)
        assert cohorts.remove_member(cohort, learner)
        enrolment = Enrolment.objects.get(user=learner)
        assert enrolment.cohort is None and enrolment.due_at is None
        assert not cohort.memberships.exists()


class TestDueDatesOnMyLearning:
    def test_the_learner_sees_the_due_date_and_who_set_it(self, cohort, learner, client):
        cohorts.join(cohort, learner)
        client.force_login(learner)
        page = client.get("/learning/").content.decode()
        assert "Due 30 June 2030, set by Northbridge Trust &amp; Safety" in page

    def test_past_due_shows_as_overdue(self, cohort, learner, client):
        cohort.due_on = date(2020, 1, 31)
        cohort.starts_on = None
        cohort.save()
        cohorts.join(cohort, learner)
        client.force_login(learner)
        assert "Overdue: was due 31 January 2020" in client.get("/learning/").content.decode()


class TestAddPeople:
    def test_everyone_is_invited_whether_or_not_they_have_an_account(
        self, cohort, make_user, django_capture_on_commit_callbacks
    ):
        make_user("Existing@Example.org")
        with django_capture_on_commit_callbacks(execute=True):
            result = cohorts.add_people(
                cohort, [("existing@example.org", "Ex"), ("new@example.org", "Nia New")]
            )
        assert result.added == []
        assert sorted(i.email for i in result.invited) == [
            "existing@example.org",
            "new@example.org",
        ]
        assert not cohort.memberships.exists()
        assert not Enrolment.objects.exists()
        assert sorted(m.to[0] for m in mail.outbox) == ["existing@example.org", "new@example.org"]
        new = next(m for m in mail.outbox if m.to == ["new@example.org"])
        existing = next(m for m in mail.outbox if m.to == ["existing@example.org"])
        assert new.subject.startswith("Northbridge Trust & Safety has invited you")
        assert "Nia New" in new.body
        assert "/account/signup/" in new.body and "/learning/" in new.body
        assert "You decide" in new.body
        # The same email whether or not the address has an account.
        assert (
            existing.body.replace("Ex", "Nia New").replace(
                "existing@example.org", "new@example.org"
            )
            == new.body
        )
        assert all(i.sent_at is not None for i in CohortInvitation.objects.all())

    def test_a_second_upload_reports_who_is_already_there(self, cohort, make_user):
        make_user("existing@example.org")
        cohorts.add_people(cohort, [("existing@example.org", ""), ("new@example.org", "")])
        result = cohorts.add_people(cohort, [("EXISTING@example.org", ""), ("new@example.org", "")])
        assert sorted(result.already) == ["existing@example.org", "new@example.org"]
        assert cohort.invitations.count() == 2

    def test_too_many_for_the_seats_saves_nobody(self, cohort, make_user):
        cohort.seat_limit = 2
        cohort.save()
        make_user("a@example.org")
        people = [("a@example.org", ""), ("b@example.org", ""), ("c@example.org", "")]
        with pytest.raises(cohorts.CohortFull):
            cohorts.add_people(cohort, people)
        assert cohorts.seats_taken(cohort) == 0
        assert not Enrolment.objects.exists()

    def test_invitations_hold_seats(self, cohort, make_user):
        cohort.seat_limit = 1
        cohort.save()
        cohorts.add_people(cohort, [("invited@example.org", "")])
        with pytest.raises(cohorts.CohortFull):
            cohorts.join(cohort, make_user("walk-in@example.org"))


class TestInvitationAtSignUp:
    def test_signing_up_with_the_invited_email_joins_nothing_until_verified_and_accepted(
        self, cohort, client, course
    ):
        cohort.seat_limit = 1
        cohort.save()
        cohorts.add_people(cohort, [("Invited@Example.org", "Ida")])
        response = client.post(
            "/account/signup/",
            {
                "email": "invited@example.org",
                "first_name": "Ida",
                "last_name": "Invited",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
            },
        )
        assert response.status_code == 302, response.content
        user = get_user_model().objects.get(email="invited@example.org")
        assert not cohort.memberships.exists()
        assert list(cohorts.pending_invitations_for(user)) == []  # not verified yet
        factories.verify_email(user)
        invitation = cohorts.pending_invitations_for(user).get()
        cohorts.accept_invitation(user, invitation.pk)
        membership = CohortMembership.objects.get(cohort=cohort, user=user)
        assert membership.source == MembershipSource.INVITATION
        assert not cohort.invitations.exists()
        assert Enrolment.objects.get(user=user).course == course[0]
        assert cohorts.seats_taken(cohort) == 1

    def test_an_account_with_another_email_gets_nothing(self, cohort, make_user):
        cohorts.add_people(cohort, [("invited@example.org", "")])
        other = make_user("someone-else@example.org")
        assert not cohort.memberships.exists()
        invitation = cohort.invitations.get()
        with pytest.raises(cohorts.InvitationNotFound):
            cohorts.accept_invitation(other, invitation.pk)


@pytest.mark.django_db(transaction=True)
class TestSeatLimitUnderConcurrency:
    def test_parallel_joins_never_exceed_the_seats(self):
        if connection.vendor != "postgresql":
            pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
        index = factories.make_course_index()
        course_page, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
        cohort = factories.make_cohort(course_page, seat_limit=3)
        users = [
            factories.verify_email(
                get_user_model().objects.create_user(email=f"p{i}@example.org", password="x")
            )
            for i in range(8)
        ]
        pending = list(users)

        def take_a_seat():
            user = pending.pop()
            try:
                return cohorts.join(cohort, user)[1]
            except cohorts.CohortFull:
                return False

        results, errors = factories.race(take_a_seat, threads=8)
        assert errors == []
        assert sum(results) == 3
        assert CohortMembership.objects.filter(cohort=cohort).count() == 3
