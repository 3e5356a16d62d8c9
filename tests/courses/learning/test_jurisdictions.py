"""Learners say where they work when they enrol (a cohort gives the default) and can change
it later; lessons then show that jurisdiction's duties."""

import pytest
from django.urls import reverse

from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import Enrolment, Jurisdiction, LessonProgress
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def us():
    return Jurisdiction.objects.create(code="us", name="United States", sort_order=30)


@pytest.fixture
def england():
    return Jurisdiction.objects.create(code="england-wales", name="England and Wales")


@pytest.fixture
def offering(course_index, us, england):
    """A course offering England and Wales, and the United States."""
    course, lessons = factories.make_course(course_index)
    course.jurisdictions.add(us, england)
    course.save()
    return course, lessons


def enrol_url(course):
    return reverse("courses:enrol", args=[course.pk])


def change_url(course):
    return reverse("courses:change_jurisdiction", args=[course.pk])


class TestEnrolForm:
    def test_the_course_page_asks_where_the_learner_works(self, client, learner, offering):
        course, _lessons = offering
        client.force_login(learner)
        html = client.get(course.url).content.decode()
        assert 'name="jurisdiction"' in html
        for label in ("International / general", "United States", "England and Wales"):
            assert f">{label}</option>" in html

    def test_a_course_without_jurisdictions_asks_nothing(self, client, learner, course):
        client.force_login(learner)
        html = client.get(course[0].url).content.decode()
        assert 'name="jurisdiction"' not in html
        client.post(enrol_url(course[0]))
        assert Enrolment.objects.get(user=learner).jurisdiction is None

    def test_enrolling_stores_the_choice(self, client, learner, offering, us):
        course, _lessons = offering
        client.force_login(learner)
        client.post(enrol_url(course), {"jurisdiction": "us"})
        assert Enrolment.objects.get(user=learner, course=course).jurisdiction == us

    def test_general_is_stored_as_none(self, client, learner, offering):
        course, _lessons = offering
        client.force_login(learner)
        client.post(enrol_url(course), {"jurisdiction": "general"})
        assert Enrolment.objects.get(user=learner, course=course).jurisdiction is None

    def test_a_jurisdiction_the_course_does_not_offer_is_refused(self, client, learner, offering):
        course, _lessons = offering
        Jurisdiction.objects.create(code="eu", name="European Union")
        client.force_login(learner)
        response = client.post(enrol_url(course), {"jurisdiction": "eu"})
        assert response.status_code == 400
        assert not Enrolment.objects.filter(user=learner).exists()


class TestCohortDefault:
    def test_members_joining_through_a_cohort_start_with_its_jurisdiction(
        self, learner, offering, us
    ):
        course, _lessons = offering
        cohort = factories.make_cohort(course, jurisdiction=us)
        cohorts.join(cohort, learner)
        assert Enrolment.objects.get(user=learner, course=course).jurisdiction == us

    def test_a_cohort_jurisdiction_the_course_does_not_offer_is_not_given(self, learner, course):
        eu = Jurisdiction.objects.create(code="eu", name="European Union")
        cohort = factories.make_cohort(course[0], jurisdiction=eu)
        cohorts.join(cohort, learner)
        assert Enrolment.objects.get(user=learner).jurisdiction is None

    def test_the_enrol_form_is_defaulted_from_the_cohort(self, client, learner, offering, us):
        course, _lessons = offering
        cohort = factories.make_cohort(course, jurisdiction=us)
        cohorts.join(cohort, learner)
        # The course was added to the cohort after they joined: they enrol themselves.
        Enrolment.objects.filter(user=learner).delete()
        client.force_login(learner)
        html = client.get(course.url).content.decode()
        assert '<option value="us" selected>United States</option>' in html
        client.post(enrol_url(course))
        assert Enrolment.objects.get(user=learner, course=course).jurisdiction == us


class TestChangeLater:
    def test_the_learner_changes_it_and_keeps_their_progress(
        self, client, learner, offering, us, england
    ):
        course, lessons = offering
        enrolment, _ = progress.enrol(learner, course)
        progress.complete_lesson(enrolment, lessons[0])
        client.force_login(learner)
        html = client.get(course.url).content.decode()
        assert 'id="where-you-work"' in html and "Guidance for: <strong>International" in html
        response = client.post(change_url(course), {"jurisdiction": "england-wales"})
        assert response.status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.jurisdiction == england
        assert enrolment.lessons_completed == 1
        assert LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False)
        html = client.get(course.url).content.decode()
        assert "Guidance for: <strong>England and Wales</strong>" in html

    def test_it_needs_a_post(self, client, learner, offering):
        course, _lessons = offering
        progress.enrol(learner, course)
        client.force_login(learner)
        assert client.get(change_url(course)).status_code == 405

    def test_a_code_the_course_does_not_offer_is_refused(self, client, learner, offering):
        course, _lessons = offering
        enrolment, _ = progress.enrol(learner, course)
        client.force_login(learner)
        assert client.post(change_url(course), {"jurisdiction": "mars"}).status_code == 400
        enrolment.refresh_from_db()
        assert enrolment.jurisdiction is None

    def test_nobody_else_can_change_a_learners_choice(
        self, client, learner, make_user, offering, us
    ):
        course, _lessons = offering
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        other = make_user("someone@example.org")
        client.force_login(other)
        response = client.post(change_url(course), {"jurisdiction": "england-wales"})
        assert response.status_code == 404
        enrolment.refresh_from_db()
        assert enrolment.jurisdiction == us

    def test_anonymous_visitors_are_sent_to_log_in(self, client, offering):
        course, _lessons = offering
        response = client.post(change_url(course), {"jurisdiction": "us"})
        assert response.status_code == 302 and "login" in response["Location"]


class TestCohortForm:
    def test_the_manager_sets_the_cohort_jurisdiction(self, client, make_user, offering, us):
        from courses.models import Cohort

        course, _lessons = offering
        manager = make_user("manager@example.org")
        organisation = factories.make_organisation(managers=[manager])
        cohort = factories.make_cohort(course, organisation=organisation)
        client.force_login(manager)
        url = reverse("courses:cohort_jurisdiction", args=[cohort.public_id])
        page = client.get(url)
        assert page.status_code == 200
        assert ">United States</option>" in page.content.decode()
        response = client.post(url, {"jurisdiction": us.pk})
        assert response.status_code == 302
        assert Cohort.objects.get(pk=cohort.pk).jurisdiction == us
        # A jurisdiction none of the cohort's courses offers is a form error.
        eu = Jurisdiction.objects.create(code="eu", name="European Union")
        assert client.post(url, {"jurisdiction": eu.pk}).status_code == 400
        assert Cohort.objects.get(pk=cohort.pk).jurisdiction == us

    def test_another_organisation_cannot_set_it(self, client, make_user, offering, us):
        course, _lessons = offering
        cohort = factories.make_cohort(course)
        outsider = make_user("outsider@example.org")
        factories.make_organisation("Other org", managers=[outsider])
        client.force_login(outsider)
        url = reverse("courses:cohort_jurisdiction", args=[cohort.public_id])
        assert client.post(url, {"jurisdiction": us.pk}).status_code == 404


class TestQuizDraw:
    def test_a_learners_attempt_draws_for_the_jurisdiction_on_their_enrolment(
        self, client, learner, offering
    ):
        from quizzes.models import Attempt, Question

        course, lessons = offering
        quiz = factories.make_quiz(
            questions=[
                ("single", "Shared", [("Right", True), ("Wrong", False)]),
                ("single", "For the US", [("Right", True), ("Wrong", False)]),
                ("single", "For the EU", [("Right", True), ("Wrong", False)]),
            ]
        )
        Question.objects.filter(quiz=quiz, text="For the US").update(jurisdictions="us")
        Question.objects.filter(quiz=quiz, text="For the EU").update(jurisdictions="eu")
        lesson = lessons[0]
        lesson.quiz = quiz
        lesson.save_revision().publish()
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        client.post(reverse("quizzes:start", args=[quiz.pk]))
        attempt = Attempt.objects.get(user=learner, quiz=quiz)
        assert attempt.jurisdiction == "us"
        assert {q["text"] for q in attempt.snapshot} == {"Shared", "For the US"}

    def test_a_learner_on_general_gets_untagged_questions(self, client, learner, offering):
        from quizzes.models import Attempt, Question

        course, lessons = offering
        quiz = factories.make_quiz(
            questions=[
                ("single", "Shared", [("Right", True), ("Wrong", False)]),
                ("single", "For the US", [("Right", True), ("Wrong", False)]),
            ]
        )
        Question.objects.filter(quiz=quiz, text="For the US").update(jurisdictions="us")
        lesson = lessons[0]
        lesson.quiz = quiz
        lesson.save_revision().publish()
        progress.enrol(learner, course)
        client.force_login(learner)
        client.post(reverse("quizzes:start", args=[quiz.pk]))
        attempt = Attempt.objects.get(user=learner, quiz=quiz)
        assert attempt.jurisdiction == ""
        assert {q["text"] for q in attempt.snapshot} == {"Shared"}
