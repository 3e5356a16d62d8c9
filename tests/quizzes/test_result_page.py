"""The result page: an overall score panel, each question's mark, and the quiz's title as a
short heading under a kicker line."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import FeedbackMode
from tests import factories
from tests.quizzes.test_feedback import assert_key, assert_no_key, first_right_rest_wrong, submit

pytestmark = pytest.mark.django_db


def text(node):
    return " ".join(node.get_text(" ").split())


class TestScoreAndMarks:
    def test_a_failed_attempt_shows_marks_but_not_the_key(self, client, learner):
        quiz = factories.make_quiz(
            feedback_mode=FeedbackMode.KEY_WHEN_DONE, attempts_allowed=3, pass_mark=70
        )
        client.force_login(learner)
        attempt, html = submit(client, quiz, first_right_rest_wrong)
        document = BeautifulSoup(html, "html.parser")
        panel = text(document.select_one(".score-panel"))
        assert "1 of 3 marks" in panel and "33%" in panel
        assert "Pass mark 70%" in panel and "Not passed" in panel
        items = document.select(".feedback-item")
        assert [text(i.select_one(".feedback-item__number")) for i in items] == [
            "Question 1 of 3",
            "Question 2 of 3",
            "Question 3 of 3",
        ]
        assert [text(i.select_one(".mark-badge")) for i in items] == [
            "✓ Correct · 1 of 1 mark",
            "✗ Incorrect · 0 of 1 mark",
            "✗ Incorrect · 0 of 1 mark",
        ]
        assert "Your answer: True — incorrect." in html
        assert_no_key(html, attempt)

    def test_a_pass_shows_marks_and_the_labelled_correct_answers(self, client, learner):
        quiz = factories.make_quiz(feedback_mode=FeedbackMode.KEY_WHEN_DONE, pass_mark=70)
        client.force_login(learner)
        attempt, html = submit(client, quiz, factories.correct_answers)
        document = BeautifulSoup(html, "html.parser")
        panel = text(document.select_one(".score-panel"))
        assert "3 of 3 marks" in panel and "100%" in panel and "Passed" in panel
        assert_key(html, attempt)
        first = document.select(".feedback-item")[0]
        correct = first.select_one(".key-choice--correct")
        assert text(correct.select_one(".key-choice__text")) == "Someone else holds their passport"
        assert "Correct answer" in text(correct) and "Your choice" in text(correct)

    def test_without_key_mode_marks_show_and_the_key_never_does(self, client, learner):
        quiz = factories.make_quiz(feedback_mode=FeedbackMode.WITHOUT_KEY)
        client.force_login(learner)
        attempt, html = submit(client, quiz, factories.correct_answers)
        assert "3 of 3 marks" in html
        assert html.count("mark-badge--correct") == 3
        assert_no_key(html, attempt)


class TestQuizHeadings:
    def test_the_check_your_understanding_prefix_becomes_a_kicker(self, client, learner):
        quiz = factories.make_quiz(title="Check your understanding: What sex trafficking is")
        client.force_login(learner)
        document = BeautifulSoup(
            client.get(reverse("quizzes:detail", args=[quiz.pk])).content, "html.parser"
        )
        assert document.select_one(".kicker").get_text() == "Check your understanding"
        assert document.h1.get_text() == "What sex trafficking is"
        assert "Check your understanding: What sex trafficking is" in document.title.get_text()

    @pytest.mark.parametrize(
        "title, kicker, heading",
        [
            (
                "Digital evidence: check your understanding",
                "Check your understanding",
                "Digital evidence",
            ),
            ("Police course: final assessment", "Final assessment", "Police course"),
            ("Indicators of control", "Quiz", "Indicators of control"),
            ("Signs: what to notice", "Quiz", "Signs: what to notice"),
        ],
    )
    def test_kicker_and_heading(self, title, kicker, heading):
        quiz = factories.make_quiz(title=title)
        assert (quiz.kicker, quiz.heading) == (kicker, heading)
