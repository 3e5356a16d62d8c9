"""Feedback modes and summative quizzes: the answer key never reaches a learner who can still
try again, so a second attempt is not a copy of the first one's result page.

The key, on a page, is any of: a correct choice's text on the result page, the feedback of a
correct choice, the words "Correct answer", or the classes and attributes that mark a correct
choice (`key-choice`, `key-mark`, `data-correct`, `is-correct`). Before the key is released,
the result page of a failed attempt shows at most which questions were wrong, the learner's
own wrong answers, marked with an icon and the word "incorrect", and the explanations.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.content.importer import FINAL_QUIZ_RULES, MODULE_QUIZ_RULES
from quizzes import services
from quizzes.models import Attempt, FeedbackMode, Quiz
from tests import factories

pytestmark = pytest.mark.django_db

KEY_MARKERS = ("key-choice", "key-mark", "Correct answer", "data-correct", "is-correct")
MODES = [FeedbackMode.WITHOUT_KEY, FeedbackMode.KEY_WHEN_DONE, FeedbackMode.NEVER]


def correct_choices(attempt):
    return [c for q in attempt.snapshot for c in q["choices"] if c["correct"]]


def assert_no_key(html, attempt, on_result_page=True):
    """No marker of which choice is correct. The attempt and review pages list every choice,
    so there only the markers are checked; a result page must not name a correct choice."""
    for marker in KEY_MARKERS:
        assert marker not in html, marker
    for choice in correct_choices(attempt):
        assert f"Feedback for {choice['text']}" not in html
        if on_result_page:
            assert not re.search(rf"\b{re.escape(choice['text'])}\b", html), choice["text"]


def assert_key(html, attempt):
    for choice in correct_choices(attempt):
        assert choice["text"] in html and f"Feedback for {choice['text']}" in html
    assert html.count("key-choice--correct") == len(correct_choices(attempt))
    assert "Correct answer" in html


def start(client, quiz):
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    return Attempt.objects.filter(quiz=quiz).latest("number")


def submit(client, quiz, answers=factories.wrong_answers):
    """Take one attempt through the review step and submit it; the result page's HTML."""
    attempt = start(client, quiz)
    url = reverse("quizzes:attempt", args=[attempt.pk])
    client.post(url, {**answers(attempt), "action": "review"})
    client.post(url, {"action": "submit"})
    attempt.refresh_from_db()
    assert not attempt.is_open
    return attempt, result_page(client, attempt)


def result_page(client, attempt):
    return client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()


def wait_out_cooldown(quiz):
    Attempt.objects.filter(quiz=quiz).update(submitted_at=timezone.now() - timedelta(hours=2))


def first_right_rest_wrong(attempt):
    key = f"q{attempt.snapshot[0]['id']}"
    return {**factories.wrong_answers(attempt), key: factories.correct_answers(attempt)[key]}


class TestNoKeyBeforeRelease:
    @pytest.mark.parametrize("summative", [False, True])
    @pytest.mark.parametrize("mode", MODES)
    def test_failed_attempt_and_every_page_before_it_hide_the_key(
        self, client, learner, mode, summative
    ):
        quiz = factories.make_quiz(
            feedback_mode=mode, summative=summative, attempts_allowed=3, cooldown_minutes=60
        )
        client.force_login(learner)
        attempt = start(client, quiz)
        url = reverse("quizzes:attempt", args=[attempt.pk])
        assert_no_key(client.get(url).content.decode(), attempt, on_result_page=False)
        review = client.post(url, {**factories.wrong_answers(attempt), "action": "review"})
        assert review.status_code == 200
        assert_no_key(review.content.decode(), attempt, on_result_page=False)
        client.post(url, {"action": "submit"})
        attempt.refresh_from_db()
        assert attempt.passed is False
        html = result_page(client, attempt)
        assert "not passed this time" in html
        assert_no_key(html, attempt)
        detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
        assert_no_key(detail, attempt)
        shows_items = mode != FeedbackMode.NEVER and not summative
        assert ("Because:" in html) is shows_items
        assert ("answer-mark--incorrect" in html) is shows_items
        if shows_items:
            # Each answer marked with an icon and words, not colour alone.
            assert "Your answer: They own a phone — incorrect." in html
            assert html.count('aria-hidden="true">✗</span>') == 3

    @pytest.mark.parametrize("mode", [FeedbackMode.WITHOUT_KEY, FeedbackMode.KEY_WHEN_DONE])
    def test_a_right_answer_is_acknowledged_without_naming_the_choice(self, client, learner, mode):
        quiz = factories.make_quiz(feedback_mode=mode)
        client.force_login(learner)
        attempt, html = submit(client, quiz, first_right_rest_wrong)
        assert attempt.passed is False and attempt.score == 1
        assert "You answered this question correctly." in html
        assert "Your answer: True — incorrect." in html
        assert_no_key(html, attempt)

    def test_without_key_never_shows_it_even_after_a_pass_or_the_last_attempt(
        self, client, learner
    ):
        quiz = factories.make_quiz(feedback_mode=FeedbackMode.WITHOUT_KEY, attempts_allowed=2)
        client.force_login(learner)
        failed, _ = submit(client, quiz)
        last, html = submit(client, quiz)
        assert services.key_released(learner, quiz)
        assert_no_key(html, last)
        assert_no_key(result_page(client, failed), failed)

    def test_an_open_attempt_hides_the_key_on_old_result_pages(self, client, learner):
        quiz = factories.make_quiz(feedback_mode=FeedbackMode.KEY_WHEN_DONE)
        client.force_login(learner)
        passed, html = submit(client, quiz, factories.correct_answers)
        assert_key(html, passed)
        start(client, quiz)
        assert "key-choice" not in result_page(client, passed)


class TestKeyWhenDone:
    def test_is_the_default_for_new_quizzes(self):
        quiz = Quiz(title="New")
        assert quiz.feedback_mode == FeedbackMode.KEY_WHEN_DONE and quiz.summative is False
        assert factories.make_quiz().feedback_mode == "key_when_done"

    def test_key_after_passing(self, client, learner):
        quiz = factories.make_quiz(attempts_allowed=3)
        client.force_login(learner)
        failed, html = submit(client, quiz)
        assert_no_key(html, failed)
        passed, html = submit(client, quiz, factories.correct_answers)
        assert passed.passed
        assert_key(html, passed)
        assert "Your answer: Someone else holds their passport — correct." in html
        # Once passed, the earlier failed attempt's page shows the key too.
        assert_key(result_page(client, failed), failed)

    def test_key_after_the_last_attempt(self, client, learner):
        quiz = factories.make_quiz(attempts_allowed=2)
        client.force_login(learner)
        first, html = submit(client, quiz)
        assert_no_key(html, first)
        assert "once you pass or have used all 2 attempts" in html
        last, html = submit(client, quiz)
        assert last.passed is False
        assert_key(html, last)
        assert "Your answer: They own a phone — incorrect." in html
        assert_key(result_page(client, first), first)


class TestSummative:
    @pytest.mark.parametrize("mode", [FeedbackMode.WITHOUT_KEY, FeedbackMode.KEY_WHEN_DONE])
    def test_no_feedback_per_question_until_out_of_attempts(self, client, learner, mode):
        quiz = factories.make_quiz(
            feedback_mode=mode, summative=True, attempts_allowed=2, cooldown_minutes=60
        )
        client.force_login(learner)
        first, html = submit(client, quiz, first_right_rest_wrong)
        assert "Because:" not in html and "Your answer" not in html and "answer-mark" not in html
        assert "This is a final assessment" in html
        assert_no_key(html, first)
        wait_out_cooldown(quiz)
        last, html = submit(client, quiz)
        assert "Because:" in html and "Your answer: They own a phone — incorrect." in html
        if mode == FeedbackMode.KEY_WHEN_DONE:
            assert_key(html, last)
        else:
            assert_no_key(html, last)

    def test_feedback_after_a_pass(self, client, learner):
        quiz = factories.make_quiz(summative=True, cooldown_minutes=60)
        client.force_login(learner)
        passed, html = submit(client, quiz, factories.correct_answers)
        assert "Because:" in html
        assert_key(html, passed)

    def test_never_stays_score_only(self, client, learner):
        quiz = factories.make_quiz(
            feedback_mode=FeedbackMode.NEVER, summative=True, cooldown_minutes=60
        )
        client.force_login(learner)
        passed, html = submit(client, quiz, factories.correct_answers)
        assert (
            "100%" in html and "Because:" not in html and "This quiz shows your score only." in html
        )
        assert_no_key(html, passed)

    def test_clean_refuses_a_cooldown_under_an_hour(self):
        quiz = Quiz(title="Final", summative=True, cooldown_minutes=59)
        with pytest.raises(ValidationError) as error:
            quiz.clean()
        assert "cooldown_minutes" in error.value.message_dict
        Quiz(title="Final", summative=True, cooldown_minutes=60).clean()
        Quiz(title="Module check", cooldown_minutes=0).clean()

    def test_waits_an_hour_even_when_saved_with_a_shorter_cooldown(self, learner):
        quiz = factories.make_quiz(summative=True, cooldown_minutes=60)
        Quiz.objects.filter(pk=quiz.pk).update(cooldown_minutes=0)  # as a bulk edit could
        quiz.refresh_from_db()
        assert quiz.effective_cooldown_minutes == 60
        attempt = services.start_attempt(learner, quiz)
        services.submit_attempt(attempt, {})
        assert "try again in 60 minute" in services.start_refusal(learner, quiz)
        later = timezone.now() + timedelta(minutes=61)
        assert services.start_refusal(learner, quiz, now=later) is None

    def test_demo_final_assessments_are_summative_and_module_quizzes_use_the_default(self):
        final = Quiz(title="Final", **FINAL_QUIZ_RULES)
        final.clean()
        assert final.summative and final.feedback_mode == FeedbackMode.KEY_WHEN_DONE
        module = Quiz(title="Module", **MODULE_QUIZ_RULES)
        assert not module.summative and module.feedback_mode == FeedbackMode.KEY_WHEN_DONE


class TestMigration:
    migration = importlib.import_module("quizzes.migrations.0002_feedback_modes")

    def test_old_modes_map_to_new_ones_in_rows_and_revisions(self):
        old = {
            "after_each": factories.make_quiz(title="A"),
            "after_pass": factories.make_quiz(title="B"),
            "never": factories.make_quiz(title="C"),
        }
        for mode, quiz in old.items():
            Quiz.objects.filter(pk=quiz.pk).update(feedback_mode=mode)
            revision = quiz.latest_revision
            revision.content["feedback_mode"] = mode
            revision.save(update_fields=["content"])
        self.migration.forwards(django_apps, None)
        expected = {"after_each": "without_key", "after_pass": "key_when_done", "never": "never"}
        for mode, quiz in old.items():
            quiz.refresh_from_db()
            assert quiz.feedback_mode == expected[mode]
            assert quiz.latest_revision.content["feedback_mode"] == expected[mode]
        self.migration.backwards(django_apps, None)
        assert sorted(Quiz.objects.values_list("feedback_mode", flat=True)) == sorted(old)


class TestEditor:
    def test_summative_flag_in_the_editor_and_its_cooldown_rule(self, admin_client):
        from tests.quizzes.test_admin import quiz_form

        url = reverse("wagtailsnippets_quizzes_quiz:add")
        page = admin_client.get(url).content.decode()
        assert 'name="summative"' in page and "a course&#x27;s final assessment" in page
        data = quiz_form(summative="on", cooldown_minutes=10, **{"action-publish": "1"})
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert "at least 60 minutes between attempts" in response.content.decode()
        assert not Quiz.objects.exists()
        data = quiz_form(summative="on", cooldown_minutes=60, **{"action-publish": "1"})
        assert admin_client.post(url, data).status_code == 302
        assert Quiz.objects.get().summative
