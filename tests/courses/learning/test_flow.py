"""No dead ends in the learner journey: one primary action per lesson state, "Continue" from a
passed quiz, the course-completion page, the completion email (once), and module pages that
show each lesson's state and where to carry on."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.delivery import services as delivery
from courses.learning import services as progress
from courses.learning.tasks import send_course_completed_email
from courses.models import Audience, Certificate, Enrolment
from courses.signals import course_completed
from quizzes import services as quiz_services
from tests import factories

pytestmark = pytest.mark.django_db

PRIMARY = re.compile(r"<(a|button)\b[^>]*\bdata-primary-action\b[^>]*>(.*?)</\1>", re.S)
ONE_QUESTION = [
    ("true_false", "Trafficking can happen within one town.", [("True", True), ("False", False)])
]


def primary_actions(html):
    """The visible labels of the page's primary actions (screen-reader-only text removed)."""
    labels = []
    for _tag, inner in PRIMARY.findall(html):
        inner = re.sub(r'<span class="visually-hidden">.*?</span>', "", inner, flags=re.S)
        labels.append(re.sub(r"<[^>]+>", "", inner).strip())
    return labels


def primary_href(html):
    match = re.search(r'<a\b[^>]*data-primary-action[^>]*href="([^"]+)"', html) or re.search(
        r'<a\b[^>]*href="([^"]+)"[^>]*data-primary-action', html
    )
    return match.group(1) if match else None


def day(moment):
    """A date as the pages and emails write it ("5 March 2029"), in the site's time zone."""
    return f"{timezone.localtime(moment):%-d %B %Y}"


def complete_page(course_page):
    return reverse("courses:course_complete", args=[course_page.pk])


@pytest.fixture
def journey(course, learner):
    """The 2 × 2 course; the last lesson of each module holds a one-question quiz; the learner
    is enrolled and signed in. Returns (course, lessons, quiz, enrolment)."""
    course_page, lessons = course
    quiz = factories.make_quiz("Check your understanding", questions=ONE_QUESTION)
    for lesson in (lessons[1], lessons[3]):
        lesson.quiz = quiz
        lesson.save()
    enrolment, _ = progress.enrol(learner, course_page)
    return course_page, lessons, quiz, enrolment


def pass_quiz(user, quiz, run_callbacks=None):
    """A passed attempt. Without `run_callbacks` its on-commit work (completing the lessons
    that hold the quiz) does not run: the lesson is passed but not yet complete."""
    attempt = quiz_services.start_attempt(user, quiz)
    answers = {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in attempt.snapshot}
    if run_callbacks:
        with run_callbacks(execute=True):
            quiz_services.submit_attempt(attempt, answers)
    else:
        quiz_services.submit_attempt(attempt, answers)
    attempt.refresh_from_db()
    assert attempt.passed
    return attempt


def fail_quiz(user, quiz):
    attempt = quiz_services.start_attempt(user, quiz)
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if not c["correct"]][:1] for q in attempt.snapshot
    }
    quiz_services.submit_attempt(attempt, answers)
    return attempt


def finish(enrolment, lessons, run_callbacks):
    with run_callbacks(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)


class TestLessonPrimaryAction:
    def test_a_quiz_to_take(self, client, learner, journey):
        _, lessons, _, _ = journey
        client.force_login(learner)
        html = client.get(lessons[1].url).content.decode()
        assert primary_actions(html) == ["Take the quiz"]
        assert f"?next={lessons[1].url}" in primary_href(html)

    def test_a_passed_quiz_continues(self, client, learner, journey):
        _, lessons, quiz, _ = journey
        pass_quiz(learner, quiz)
        client.force_login(learner)
        html = client.get(lessons[1].url).content.decode()
        assert primary_actions(html) == ["Continue"]
        assert reverse("courses:complete_lesson", args=[lessons[1].pk]) in html

    def test_a_lesson_without_a_quiz(self, client, learner, journey):
        _, lessons, _, _ = journey
        client.force_login(learner)
        html = client.get(lessons[0].url).content.decode()
        assert primary_actions(html) == ["Mark complete and continue"]

    def test_a_completed_lesson_goes_to_the_next(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        _, lessons, _, enrolment = journey
        finish(enrolment, lessons[:1], django_capture_on_commit_callbacks)
        client.force_login(learner)
        html = client.get(lessons[0].url).content.decode()
        assert primary_actions(html) == ["Next lesson"]
        assert primary_href(html) == lessons[1].url

    def test_the_last_lesson_of_a_finished_course_shows_the_certificate(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        client.force_login(learner)
        html = client.get(lessons[-1].url).content.decode()
        assert primary_actions(html) == ["See your certificate"]
        assert primary_href(html) == complete_page(course_page)

    def test_the_last_lesson_with_lessons_left_leads_to_the_first_lesson_still_to_do(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        _, lessons, _, enrolment = journey
        finish(enrolment, [lessons[0], lessons[3]], django_capture_on_commit_callbacks)
        client.force_login(learner)
        html = client.get(lessons[-1].url).content.decode()
        assert primary_actions(html) == ["Go to the next lesson to do"]
        assert primary_href(html) == lessons[1].url  # the first lesson still to do


class TestResultContinue:
    def result_url(self, attempt, next_url=None):
        url = reverse("quizzes:result", args=[attempt.pk])
        return f"{url}?next={next_url}" if next_url else url

    def test_continue_completes_the_lesson_and_opens_the_next(self, client, learner, journey):
        _, lessons, quiz, enrolment = journey
        attempt = pass_quiz(learner, quiz)
        client.force_login(learner)
        html = client.get(self.result_url(attempt, lessons[1].url)).content.decode()
        assert primary_actions(html) == ["Continue"]
        assert "Back to the lesson" in html
        action = re.search(r'<form method="post" action="([^"]+)">', html).group(1)
        assert action == reverse("courses:complete_lesson", args=[lessons[1].pk])
        response = client.post(action)
        assert response.status_code == 302
        assert response["Location"] == lessons[2].url
        assert lessons[1].id in progress.completed_lesson_ids(enrolment)

    def test_continue_needs_the_csrf_token(self, learner, journey):
        _, lessons, quiz, enrolment = journey
        pass_quiz(learner, quiz)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(learner)
        response = strict.post(reverse("courses:complete_lesson", args=[lessons[1].pk]))
        assert response.status_code == 403
        assert lessons[1].id not in progress.completed_lesson_ids(enrolment)

    def test_the_last_lesson_lands_on_the_completion_page(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, quiz, enrolment = journey
        finish(enrolment, lessons[:3], django_capture_on_commit_callbacks)
        attempt = pass_quiz(learner, quiz)
        client.force_login(learner)
        html = client.get(self.result_url(attempt, lessons[3].url)).content.decode()
        assert primary_actions(html) == ["Continue"]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("courses:complete_lesson", args=[lessons[3].pk]))
        assert response["Location"] == complete_page(course_page)
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "You have completed Test course" in page.content.decode()

    def test_continue_after_the_pass_completed_the_course_itself(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        """A pass completes the lesson on its own; Continue still lands on the completion page."""
        course_page, lessons, quiz, enrolment = journey
        finish(enrolment, lessons[:3], django_capture_on_commit_callbacks)
        attempt = pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None
        client.force_login(learner)
        html = client.get(self.result_url(attempt)).content.decode()
        assert primary_actions(html) == ["Continue"]  # found through the quiz↔lesson link
        response = client.post(reverse("courses:complete_lesson", args=[lessons[3].pk]))
        assert response["Location"] == complete_page(course_page)

    def test_a_failed_result_offers_to_try_again(self, client, learner, journey):
        _, lessons, quiz, _ = journey
        attempt = fail_quiz(learner, quiz)
        client.force_login(learner)
        html = client.get(self.result_url(attempt, lessons[1].url)).content.decode()
        assert primary_actions(html) == ["Try again"]
        assert f'<a href="{lessons[1].url}">Back to the lesson</a>' in html
        assert "Continue" not in html

    def test_an_unsafe_next_is_ignored(self, client, learner, journey):
        _, _, quiz, _ = journey
        attempt = pass_quiz(learner, quiz)
        client.force_login(learner)
        html = client.get(self.result_url(attempt, "https://evil.example/")).content.decode()
        assert "evil.example" not in html
        assert primary_actions(html) == ["Continue"]  # still through the quiz↔lesson link

    def test_no_continue_for_a_quiz_outside_the_learners_courses(self, client, make_user, journey):
        _, _, quiz, _ = journey
        stranger = make_user("stranger@example.org")
        attempt = pass_quiz(stranger, quiz)
        client.force_login(stranger)
        html = client.get(self.result_url(attempt)).content.decode()
        assert primary_actions(html) == []
        assert "Back to the quiz" in html


class TestCompletionPage:
    def test_the_learner_sees_the_certificate_and_what_next(
        self, client, learner, journey, course_index, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        police = Audience.objects.create(name="Police", slug="police")
        course_page.audiences.add(police)
        course_page.save()
        other, _ = factories.make_course(course_index, slug="next-steps", title="Next steps")
        other.audiences.add(police)
        other.save()
        factories.make_course(course_index, slug="unrelated", title="Unrelated course")
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        certificate = Certificate.objects.get(enrolment=enrolment)
        client.force_login(learner)
        html = client.get(complete_page(course_page)).content.decode()
        assert reverse("courses:certificate", args=[certificate.code]) in html
        assert f"valid until {day(certificate.expires_at)}" in html
        assert f"renew it from {day(certificate.renewable_from)}" in html
        assert "Next steps" in html and "Unrelated course" not in html
        assert reverse("support") in html and reverse("courses:verify") in html

    def test_a_learner_without_a_name_is_asked_for_one(
        self, client, make_user, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, _ = journey
        nameless = make_user("nameless@example.org")
        enrolment, _ = progress.enrol(nameless, course_page)
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        client.force_login(nameless)
        html = client.get(complete_page(course_page)).content.decode()
        assert "Your certificate needs your name" in html
        assert reverse("courses:certificate_name") in html

    def test_not_found_for_others_and_before_completion(
        self, client, learner, make_user, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        client.force_login(learner)
        assert client.get(complete_page(course_page)).status_code == 404  # not finished yet
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        assert client.get(complete_page(course_page)).status_code == 200
        client.force_login(make_user("someone@example.org"))
        assert client.get(complete_page(course_page)).status_code == 404
        client.logout()
        response = client.get(complete_page(course_page))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

    def test_not_found_once_a_new_cycle_is_open(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        Enrolment.objects.create(user=learner, course=course_page, cycle=2)
        client.force_login(learner)
        assert client.get(complete_page(course_page)).status_code == 404

    def test_linked_from_my_learning_and_the_course_page(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        client.force_login(learner)
        assert complete_page(course_page) not in client.get(course_page.url).content.decode()
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        assert complete_page(course_page) in client.get(course_page.url).content.decode()
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert complete_page(course_page) in dashboard


class TestCompletionEmail:
    def test_sent_once_with_the_certificate_and_renewal_date(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, quiz, enrolment = journey
        pass_quiz(learner, quiz)
        client.force_login(learner)
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                client.post(reverse("courses:complete_lesson", args=[lesson.pk]))
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert message.to == [learner.email]
        assert "Test course" not in message.subject  # nothing about the course in the subject
        assert reverse("courses:certificate", args=[certificate.code]) in message.body
        assert f"{day(certificate.renewable_from)}" in message.body
        assert f"{day(certificate.expires_at)}" in message.body

        # Completing again, revisiting and a repeated signal send nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("courses:complete_lesson", args=[lessons[-1].pk]))
            client.get(complete_page(course_page))
        enrolment.refresh_from_db()
        course_completed.send(sender=Enrolment, enrolment=enrolment)
        send_course_completed_email.enqueue(enrolment.pk)
        assert len(mail.outbox) == 1
        assert enrolment.completion_emailed_at is not None

    def test_a_new_cycle_is_emailed_again(
        self, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, quiz, enrolment = journey
        finish(enrolment, lessons, django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1
        second = Enrolment.objects.create(user=learner, course=course_page, cycle=2)
        finish(second, lessons, django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 2

    def test_a_failed_send_is_retried(self, learner, journey, smtp_server):
        _, lessons, _, enrolment = journey
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)  # callbacks not run: no email yet
        smtp_server.stop()
        assert send_course_completed_email.enqueue(enrolment.pk).return_value is False
        enrolment.refresh_from_db()
        assert enrolment.completion_emailed_at is None
        smtp_server.start()
        assert delivery.deliver_due(now=timezone.now() + timedelta(minutes=2)) == 1
        send_course_completed_email.enqueue(enrolment.pk)
        enrolment.refresh_from_db()
        assert enrolment.completion_emailed_at is not None
        assert len(smtp_server.messages) == 1


class TestModulePage:
    def states(self, html):
        return re.findall(r'status-pill status-pill--(\w+)">([^<]+)<', html)

    def test_each_lesson_shows_its_state_and_continue_goes_to_the_first_to_do(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        _, lessons, _, enrolment = journey
        module = lessons[0].get_parent()
        client.force_login(learner)
        html = client.get(module.url).content.decode()
        assert self.states(html) == [("todo", "Not started"), ("todo", "Not started")]
        assert primary_actions(html) == ["Continue"] and primary_href(html) == lessons[0].url

        finish(enrolment, lessons[:1], django_capture_on_commit_callbacks)
        client.get(lessons[1].url)  # opened, not complete
        html = client.get(module.url).content.decode()
        assert self.states(html) == [("done", "Completed"), ("progress", "In progress")]
        assert primary_href(html) == lessons[1].url

    def test_a_finished_module_leads_to_the_next_then_the_course(
        self, client, learner, journey, django_capture_on_commit_callbacks
    ):
        course_page, lessons, _, enrolment = journey
        finish(enrolment, lessons[:2], django_capture_on_commit_callbacks)
        client.force_login(learner)
        html = client.get(lessons[0].get_parent().url).content.decode()
        second_module = lessons[2].get_parent()
        assert primary_actions(html) == ["Next module"]
        assert primary_href(html) == second_module.url
        finish(enrolment, lessons[2:], django_capture_on_commit_callbacks)
        html = client.get(second_module.url).content.decode()
        assert primary_actions(html) == ["Back to the course"]
        assert primary_href(html) == course_page.url

    def test_locked_lessons_say_so(self, client, learner, journey):
        course_page, lessons, _, _ = journey
        course_page.sequential_modules = True
        course_page.save()
        client.force_login(learner)
        html = client.get(lessons[2].get_parent().url).content.decode()
        assert self.states(html) == [("locked", "Locked"), ("locked", "Locked")]
        assert primary_actions(html) == ["Back to the course"]
        assert "unlocks when you complete the earlier ones" in html

    def test_visitors_see_no_states(self, client, journey):
        _, lessons, _, _ = journey
        html = client.get(lessons[0].get_parent().url).content.decode()
        assert "status-pill" not in html and primary_actions(html) == []

    @pytest.mark.parametrize("lessons_per_module", [4, 20])
    def test_constant_queries(
        self, client, course_index, learner, lessons_per_module, django_assert_max_num_queries
    ):
        course_page, lessons = factories.make_course(
            course_index,
            slug="big",
            modules=2,
            lessons_per_module=lessons_per_module,
            sequential_modules=True,
        )
        enrolment, _ = progress.enrol(learner, course_page)
        for lesson in lessons[:3]:
            progress.complete_lesson(enrolment, lesson)
        client.force_login(learner)
        module = lessons[0].get_parent()
        client.get(module.url)
        with django_assert_max_num_queries(22):
            response = client.get(module.url)
        assert response.content.decode().count("status-pill--done") == 3


def test_a_failed_result_without_attempts_left_says_why(client, learner, course):
    """With no attempt left, the result explains and leads back to the lesson instead."""
    course_page, lessons = course
    quiz = factories.make_quiz("One try", questions=ONE_QUESTION, attempts_allowed=1)
    lessons[0].quiz = quiz
    lessons[0].save()
    progress.enrol(learner, course_page)
    attempt = fail_quiz(learner, quiz)
    client.force_login(learner)
    url = reverse("quizzes:result", args=[attempt.pk]) + f"?next={lessons[0].url}"
    html = client.get(url).content.decode()
    assert "You have used all 1 attempts at this quiz." in html
    assert primary_actions(html) == ["Back to the lesson"]
    assert "Try again" not in html
