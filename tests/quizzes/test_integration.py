"""A lesson holding a quiz completes when the learner passes it, and not before."""

import pytest
from django.urls import reverse

from courses.learning import services as progress
from courses.models import LessonProgress
from quizzes import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_lesson(course, learner):
    course_page, lessons = course
    quiz = factories.make_quiz(cooldown_minutes=0, review_before_submit=False)
    lesson = lessons[1]
    lesson.quiz = quiz
    lesson.save_revision().publish()
    enrolment, _ = progress.enrol(learner, course_page)
    return quiz, lesson, enrolment


def test_fail_then_pass_completes_the_lesson(
    client, learner, quiz_lesson, django_capture_on_commit_callbacks
):
    quiz, lesson, enrolment = quiz_lesson
    client.force_login(learner)
    page = client.get(lesson.url).content.decode()
    assert "Check your understanding" in page and "Pass this quiz to complete the lesson" in page

    response = client.post(reverse("courses:complete_lesson", args=[lesson.pk]), follow=True)
    assert "Pass the quiz" in response.content.decode()
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.start_attempt(learner, quiz)
        client.post(
            reverse("quizzes:attempt", args=[attempt.pk]),
            {**factories.wrong_answers(attempt), "action": "submit"},
        )
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.start_attempt(learner, quiz)
        client.post(
            reverse("quizzes:attempt", args=[attempt.pk]),
            {**factories.correct_answers(attempt), "action": "submit"},
        )
    assert LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()
    assert "You have passed this quiz" in client.get(lesson.url).content.decode()


def test_result_page_links_back_to_the_lesson(client, learner, quiz_lesson):
    quiz, lesson, _ = quiz_lesson
    client.force_login(learner)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]) + f"?next={lesson.url}")
    assert f"next={lesson.url}".replace("/", "%2F") in response["Location"]
    evil = client.get(reverse("quizzes:detail", args=[quiz.pk]), {"next": "https://evil.example"})
    assert b"evil.example" not in evil.content


def test_quizzes_never_import_courses():
    import pathlib

    for path in pathlib.Path("quizzes").rglob("*.py"):
        text = path.read_text()
        assert "import courses" not in text and "from courses" not in text, path
