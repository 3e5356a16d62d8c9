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
