"""Download my data and delete my account."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses.learning import services as progress
from courses.models import Enrolment, LessonProgress, Reflection
from tests.conftest import PASSWORD

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_with_history(client, course, learner):
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    progress.complete_lesson(enrolment, lessons[0])
    block_id = next(c.id for c in lessons[0].body if c.block_type == "reflection")
    client.force_login(learner)
    client.post(
        reverse("courses:save_reflection", args=[lessons[0].pk, block_id]),
        {"text": "Listen & believe"},
    )
    return learner


class TestDownloadMyData:
    def test_contains_profile_progress_and_reflections(self, client, learner_with_history):
        response = client.get(reverse("download_my_data"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert "attachment" in response["Content-Disposition"]
        data = json.loads(response.content)
        assert data["profile"]["email"] == "learner@example.org"
        courses = data["courses"]
        assert courses["enrolments"][0]["course"] == "Test course"
        assert courses["enrolments"][0]["lessons_completed"] == 1
        assert courses["lesson_progress"][0]["completed_at"]
        assert courses["reflections"][0]["answer"] == "Listen & believe"
        assert courses["reflections"][0]["prompt"] == "What would you do first?"

    def test_includes_quiz_attempts_with_answers(self, client, learner_with_history):
        from quizzes import services
        from tests import factories

        quiz = factories.make_quiz()
        attempt = services.start_attempt(learner_with_history, quiz)
        first = attempt.snapshot[0]
        services.submit_attempt(attempt, {first["id"]: [first["choices"][0]["id"]]})
        data = json.loads(client.get(reverse("download_my_data")).content)
        exported = data["quizzes"]["attempts"][0]
        assert exported["quiz"] == "Indicators quiz" and exported["passed"] is False
        assert exported["answers"][0]["chosen"] == [first["choices"][0]["text"]]

    def test_holds_nothing_of_anyone_else(self, client, learner_with_history, make_user, course):
        other = make_user("other@example.org")
        progress.enrol(other, course[0])
        client.force_login(other)
        data = json.loads(client.get(reverse("download_my_data")).content)
        assert data["profile"]["email"] == "other@example.org"
        assert data["courses"]["reflections"] == []
        assert data["courses"]["lesson_progress"] == []
        assert "Listen" not in json.dumps(data)

    def test_needs_login(self, client):
        assert client.get(reverse("download_my_data")).status_code == 302


class TestDeleteMyAccount:
    url = reverse("delete_account")

    def test_wrong_password_deletes_nothing(self, client, learner_with_history):
        response = client.post(self.url, {"password": "wrong", "confirm": "on"})
        assert response.status_code == 400
        assert b"That password is not correct" in response.content
        assert User.objects.filter(email="learner@example.org").exists()
        assert Enrolment.objects.exists() and Reflection.objects.exists()

    def test_confirmation_is_required(self, client, learner_with_history):
        response = client.post(self.url, {"password": PASSWORD})
        assert response.status_code == 400
        assert User.objects.filter(email="learner@example.org").exists()

    def test_deletes_account_and_personal_data(
        self, client, learner_with_history, make_user, course
    ):
        other = make_user("other@example.org")
        progress.enrol(other, course[0])
        response = client.post(self.url, {"password": PASSWORD, "confirm": "on"}, follow=True)
        assert b"Your account and personal data have been deleted" in response.content
        assert not User.objects.filter(email="learner@example.org").exists()
        assert not Reflection.objects.exists()
        assert not LessonProgress.objects.exists()
        assert list(Enrolment.objects.values_list("user__email", flat=True)) == [
            "other@example.org"
        ]
        assert client.get(reverse("account")).status_code == 302  # logged out

    def test_get_deletes_nothing(self, client, learner_with_history):
        assert client.get(self.url).status_code == 200
        assert User.objects.filter(email="learner@example.org").exists()


class TestCohortData:
    def test_memberships_are_in_the_download_and_go_with_the_account(
        self, client, learner_with_history, course
    ):
        from courses.cohorts import services as cohorts
        from courses.models import CohortInvitation, CohortMembership
        from tests import factories

        cohort = factories.make_cohort(course[0], name="Night shift")
        cohorts.join(cohort, learner_with_history)
        data = json.loads(client.get(reverse("download_my_data")).content)
        assert data["courses"]["cohorts"] == [
            {
                "organisation": "Northbridge Trust & Safety",
                "cohort": "Night shift",
                "joined_at": data["courses"]["cohorts"][0]["joined_at"],
                "how_joined": "Invitation link or code",
                "source": "link",
                "added_by": None,
                "due_on": None,
                "last_reminded_at": None,
            }
        ]
        # An invitation left for the same address must not re-enrol a future account.
        other = factories.make_cohort(course[0], organisation=cohort.organisation, name="Day")
        CohortInvitation.objects.create(cohort=other, email="LEARNER@example.org")
        client.post(reverse("delete_account"), {"password": PASSWORD, "confirm": "on"})
        assert not CohortMembership.objects.exists()
        assert not CohortInvitation.objects.exists()


class TestEverythingHeldAboutThePerson:
    """Accommodations, pending invitations, who added them to a cohort, and revocations are in
    the download, with names (never emails) for the staff and managers involved, and nothing
    about anyone else."""

    @pytest.fixture
    def held(self, client, learner_with_history, course, make_user):
        from django.utils import timezone

        from courses.cohorts import services as cohorts
        from courses.models import Certificate, CohortInvitation, Enrolment, MembershipSource
        from tests import factories

        learner = learner_with_history
        manager = make_user("maya.manager@northbridge.example", first_name="Maya", last_name="Moss")
        unnamed_manager = make_user("anon.manager@northbridge.example")
        organisation = factories.make_organisation(managers=[manager, unnamed_manager])
        night = factories.make_cohort(course[0], organisation=organisation, name="Night shift")
        day = factories.make_cohort(course[0], organisation=organisation, name="Day shift")
        for cohort, inviter in ((night, manager), (day, unnamed_manager)):
            [invitation] = cohorts.add_people(
                cohort, [(learner.email, "")], added_by=inviter, source=MembershipSource.MANUAL
            ).invited
            cohorts.accept_invitation(learner, invitation.pk)
        # Another member of the same cohort, and an invitation for someone else.
        colleague = make_user("colleague@example.org", first_name="Colm", last_name="Colleague")
        [invitation] = cohorts.add_people(night, [(colleague.email, "")], added_by=manager).invited
        cohorts.accept_invitation(colleague, invitation.pk)
        CohortInvitation.objects.create(
            cohort=night, email="stranger@example.org", name="Stan Stranger", invited_by=manager
        )
        # A pending invitation addressed to the learner (made before they joined that cohort).
        evening = factories.make_cohort(course[0], organisation=organisation, name="Evenings")
        CohortInvitation.objects.create(
            cohort=evening, email="Learner@Example.org", name="Lena N.", invited_by=manager
        )
        # A revoked certificate.
        enrolment = Enrolment.objects.create(
            user=learner, course=course[0], cycle=9, completed_at=timezone.now()
        )
        Certificate.objects.create(
            enrolment=enrolment,
            user=learner,
            course=course[0],
            course_title="Test course",
            name_on_certificate="Lena Novak",
            revoked_at=timezone.now(),
            revoked_reason="Issued in error: the final quiz was not recorded.",
        )
        return learner

    @pytest.fixture
    def accommodations(self, client, held, make_user):
        """Granted through the admin by staff (one with a name, one without), then edited."""
        from quizzes.models import Accommodation
        from tests import factories

        quiz = factories.make_quiz(title="Indicators quiz")
        granting = make_user(
            "grace.staff@example.org", first_name="Grace", last_name="Granter", is_superuser=True
        )
        editing = make_user("no.name.staff@example.org", is_superuser=True)
        other = make_user("someone@example.org")
        add = reverse("wagtailsnippets_quizzes_accommodation:add")
        client.force_login(granting)
        for user, quiz_id, note in [
            (held, quiz.pk, "Dyslexia: agreed with the training lead"),
            (other, "", "Someone else's note"),
        ]:
            response = client.post(
                add,
                {
                    "user": user.pk,
                    "quiz": quiz_id,
                    "extra_time_percent": 25,
                    "note": note,
                },
            )
            assert response.status_code == 302, response.content[:2000]
        accommodation = Accommodation.objects.get(user=held)
        client.force_login(editing)
        response = client.post(
            reverse("wagtailsnippets_quizzes_accommodation:edit", args=[accommodation.pk]),
            {
                "user": held.pk,
                "quiz": quiz.pk,
                "extra_time_percent": 50,
                "note": "Dyslexia: agreed with the training lead",
            },
        )
        assert response.status_code == 302
        client.force_login(held)
        return accommodation

    def download(self, client):
        response = client.get(reverse("download_my_data"))
        assert response.status_code == 200
        return json.loads(response.content), response.content.decode()

    def test_time_accommodations_with_the_note_and_who_granted_them(self, client, accommodations):
        data, _raw = self.download(client)
        [exported] = data["quizzes"]["accommodations"]
        assert exported["quiz"] == "Indicators quiz"
        assert exported["extra_time_percent"] == 50 and exported["no_time_limit"] is False
        assert exported["note"] == "Dyslexia: agreed with the training lead"
        assert exported["granted_by"] == "Grace Granter" and exported["granted_at"]
        assert exported["last_changed_by"] == "A member of staff"
        assert exported["last_changed_at"] >= exported["granted_at"]

    def test_pending_invitations_to_the_persons_email(self, client, held):
        data, _raw = self.download(client)
        assert data["courses"]["cohort_invitations"] == [
            {
                "organisation": "Northbridge Trust & Safety",
                "cohort": "Evenings",
                "email": "learner@example.org",
                "name_given_by_manager": "Lena N.",
                "invited_by": "Maya Moss",
                "invited_at": data["courses"]["cohort_invitations"][0]["invited_at"],
                "email_sent_at": None,
                "declined_at": None,
            }
        ]
        assert data["courses"]["cohort_invitations"][0]["invited_at"]

    def test_who_added_them_to_each_cohort_and_how(self, client, held):
        data, _raw = self.download(client)
        memberships = {m["cohort"]: m for m in data["courses"]["cohorts"]}
        assert memberships["Night shift"]["added_by"] == "Maya Moss"
        assert memberships["Night shift"]["source"] == "invitation"
        assert memberships["Night shift"]["how_joined"] == "Accepted an emailed invitation"
        assert memberships["Day shift"]["added_by"] == "A manager or member of staff"

    def test_revocation_date_and_reason(self, client, held):
        data, _raw = self.download(client)
        [revoked] = [c for c in data["courses"]["certificates"] if c["revoked_at"]]
        assert revoked["revoked_reason"] == "Issued in error: the final quiz was not recorded."
        assert revoked["status"] == "revoked"

    def test_nothing_about_anyone_else(self, client, accommodations):
        _data, raw = self.download(client)
        for other in [
            "maya.manager@northbridge.example",
            "anon.manager@northbridge.example",
            "grace.staff@example.org",
            "no.name.staff@example.org",
            "colleague@example.org",
            "Colm",
            "stranger@example.org",
            "Stan Stranger",
            "someone@example.org",
            "Someone else's note",
            "records@example.org",
        ]:
            assert other not in raw, other
