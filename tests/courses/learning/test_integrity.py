"""Assessment integrity: quiz passes belong to a certification cycle, a lesson whose quiz is
unavailable cannot be completed, and a course can require time on a lesson before it is
completed (with time on task shown to learners and managers)."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import services as cohorts
from courses.learning import privacy
from courses.learning import services as progress
from courses.learning.quiz_link import quiz_requirement
from courses.models import Enrolment, LessonPage, LessonProgress
from quizzes import services as quiz_services
from quizzes.models import Attempt
from tests import factories

pytestmark = pytest.mark.django_db


def complete_url(lesson):
    return reverse("courses:complete_lesson", args=[lesson.pk])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def done_in(enrolment):
    return progress.completed_lesson_ids(enrolment)


@pytest.fixture
def quiz_lesson(course):
    """The course's second lesson holds a live quiz that allows one attempt."""
    course_page, lessons = course
    quiz = factories.make_quiz(attempts_allowed=1)
    lesson = lessons[1]
    lesson.quiz = quiz
    lesson.save()
    return course_page, lesson, quiz


def answers(attempt, correct=True):
    chosen = {}
    for question in attempt.snapshot:
        ids = [c["id"] for c in question["choices"] if c["correct"] is correct]
        chosen[question["id"]] = ids if correct else ids[:1]
    return chosen


def pass_quiz(user, quiz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_services.start_attempt(user, quiz)
        quiz_services.submit_attempt(attempt, answers(attempt))
    attempt.refresh_from_db()
    assert attempt.passed
    return attempt


def start_second_cycle(user, course_page, first):
    """Cycle 1 happened two years ago (and its attempts in it); cycle 2 opens now."""
    long_ago = timezone.now() - timedelta(days=730)
    Enrolment.objects.filter(pk=first.pk).update(enrolled_at=long_ago, completed_at=long_ago)
    Attempt.objects.filter(user=user).update(started_at=long_ago + timedelta(days=1))
    return Enrolment.objects.create(user=user, course=course_page, cycle=2)


class TestPassesBelongToACycle:
    def test_a_pass_in_cycle_one_does_not_complete_cycle_two(
        self, client, learner, quiz_lesson, django_capture_on_commit_callbacks
    ):
        course_page, lesson, quiz = quiz_lesson
        first, _ = progress.enrol(learner, course_page)
        pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        assert lesson.id in done_in(first)  # the pass completed the lesson in cycle 1

        second = start_second_cycle(learner, course_page, first)
        assert quiz_services.has_passed(learner, quiz)  # history is kept
        assert not quiz_services.has_passed(learner, quiz, since=second.enrolled_at)
        assert (
            quiz_requirement(learner, lesson)
            == f"Pass the quiz “{quiz.title}” to complete this lesson."
        )

        client.force_login(learner)
        response = client.post(complete_url(lesson))
        assert response.status_code == 302
        assert f"Pass the quiz “{quiz.title}” to complete this lesson." in texts(response)
        assert lesson.id not in done_in(second)
        page = client.get(lesson.url).content.decode()
        assert "You have passed this quiz." not in page
        assert "Take the quiz" in page

    def test_attempt_limits_reset_with_the_cycle_and_history_is_kept(
        self, client, learner, quiz_lesson, django_capture_on_commit_callbacks
    ):
        course_page, lesson, quiz = quiz_lesson
        first, _ = progress.enrol(learner, course_page)
        pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        assert "used all 1 attempts" in quiz_services.start_refusal(learner, quiz)

        second = start_second_cycle(learner, course_page, first)
        assert quiz_services.start_refusal(learner, quiz) is None
        client.force_login(learner)
        detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
        assert "You have passed this quiz." not in detail
        assert "Start a new attempt" in detail

        attempt = pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        assert attempt.number == 2
        assert Attempt.objects.filter(user=learner, quiz=quiz).count() == 2
        assert lesson.id in done_in(second)  # this cycle's pass completes this cycle's lesson
        assert "used all 1 attempts" in quiz_services.start_refusal(learner, quiz)

    def test_a_pass_in_cycle_one_does_not_release_the_key_in_cycle_two(
        self, client, learner, course, django_capture_on_commit_callbacks
    ):
        course_page, lessons = course
        quiz = factories.make_quiz(attempts_allowed=3, feedback_mode="key_when_done")
        lessons[1].quiz = quiz
        lessons[1].save()
        first, _ = progress.enrol(learner, course_page)
        pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        start_second_cycle(learner, course_page, first)
        with django_capture_on_commit_callbacks(execute=True):
            attempt = quiz_services.start_attempt(learner, quiz)
            quiz_services.submit_attempt(attempt, answers(attempt, correct=False))
        client.force_login(learner)
        page = client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
        assert "Correct answer" not in page and "key-mark" not in page
        assert not quiz_services.key_released(learner, quiz)

    def test_without_a_window_every_attempt_counts(self, learner, quiz_lesson, settings):
        settings.QUIZZES_ATTEMPT_WINDOW = None
        course_page, _lesson, quiz = quiz_lesson
        progress.enrol(learner, course_page)
        attempt = quiz_services.start_attempt(learner, quiz)
        quiz_services.submit_attempt(attempt, answers(attempt, correct=False))
        Attempt.objects.update(started_at=timezone.now() - timedelta(days=900))
        assert "used all 1 attempts" in quiz_services.start_refusal(learner, quiz)


UNAVAILABLE = "This lesson's quiz is not available at the moment"


class TestUnavailableQuizFailsClosed:
    @pytest.mark.parametrize("how", ["unpublished", "deleted"])
    def test_the_lesson_cannot_be_completed(self, client, learner, quiz_lesson, how):
        course_page, lesson, quiz = quiz_lesson
        enrolment, _ = progress.enrol(learner, course_page)
        if how == "unpublished":
            quiz.live = False
            quiz.save()
        else:
            quiz.delete()
        lesson.refresh_from_db()
        assert lesson.quiz_required

        client.force_login(learner)
        page = client.get(lesson.url).content.decode()
        assert UNAVAILABLE in page.replace("&#x27;", "'")
        response = client.post(complete_url(lesson))
        assert response.status_code == 302
        assert any(m.startswith(UNAVAILABLE) for m in texts(response))
        assert lesson.id not in done_in(enrolment)

    def test_an_editor_removing_the_quiz_removes_the_requirement(
        self, client, learner, quiz_lesson
    ):
        course_page, lesson, _quiz = quiz_lesson
        enrolment, _ = progress.enrol(learner, course_page)
        lesson.quiz = None
        lesson.save()
        client.force_login(learner)
        client.post(complete_url(lesson))
        assert lesson.id in done_in(enrolment)


class TestUnpublishWarning:
    def test_the_confirmation_lists_the_lessons_and_the_unpublish_goes_ahead(
        self, client, make_user, quiz_lesson
    ):
        _course_page, lesson, quiz = quiz_lesson
        admin = make_user("admin@example.org", is_superuser=True, is_staff=True)
        client.force_login(admin)
        url = reverse("wagtailsnippets_quizzes_quiz:unpublish", args=[quiz.pk])
        page = client.get(url).content.decode()
        assert "Learners need this quiz in 1 place" in page
        assert f"Test course › {lesson.title}" in page

        response = client.post(url)
        assert response.status_code == 302
        quiz.refresh_from_db()
        assert not quiz.live
        assert any(
            "cannot complete these lessons" in m and lesson.title in m for m in texts(response)
        )

    def test_no_warning_for_a_quiz_no_lesson_uses(self, client, make_user):
        quiz = factories.make_quiz(title="Unused quiz")
        client.force_login(make_user("admin@example.org", is_superuser=True, is_staff=True))
        page = client.get(reverse("wagtailsnippets_quizzes_quiz:unpublish", args=[quiz.pk]))
        assert "Learners need this quiz" not in page.content.decode()


@pytest.fixture
def timed_course(course):
    """Lessons need half their estimated minutes: 5 minutes for the 10-minute first lesson."""
    course_page, lessons = course
    course_page.minimum_lesson_time_percent = 50
    course_page.save()
    return course_page, lessons


def open_lesson_ago(enrolment, lesson, minutes):
    LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).update(
        first_opened_at=timezone.now() - timedelta(minutes=minutes),
        last_opened_at=timezone.now() - timedelta(minutes=minutes),
    )


class TestMinimumTimeOnALesson:
    def test_early_completion_is_refused_then_allowed(self, client, learner, timed_course):
        course_page, lessons = timed_course
        lesson = lessons[0]
        enrolment, _ = progress.enrol(learner, course_page)
        client.force_login(learner)
        page = client.get(lesson.url).content.decode()
        assert "you can mark it complete in about 5 minutes" in page

        response = client.post(complete_url(lesson))
        assert response.status_code == 302
        assert response["Location"] == lesson.url
        assert any("you can mark it complete in 5 minutes" in m for m in texts(response))
        record = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
        assert record.completed_at is None and record.time_spent_seconds == 0

        open_lesson_ago(enrolment, lesson, minutes=3)
        response = client.post(complete_url(lesson))
        assert any("complete in 2 minutes" in m for m in texts(response))
        assert lesson.id not in done_in(enrolment)

        open_lesson_ago(enrolment, lesson, minutes=6)
        response = client.post(complete_url(lesson))
        assert response["Location"] == lessons[1].url
        assert lesson.id in done_in(enrolment)

    def test_a_lesson_never_opened_is_refused_and_nothing_is_saved(
        self, client, learner, timed_course
    ):
        course_page, lessons = timed_course
        enrolment, _ = progress.enrol(learner, course_page)
        client.force_login(learner)
        response = client.post(complete_url(lessons[2]))
        assert response.status_code == 302
        assert not LessonProgress.objects.filter(enrolment=enrolment).exists()

    def test_off_by_default(self, client, learner, course):
        course_page, lessons = course
        enrolment, _ = progress.enrol(learner, course_page)
        client.force_login(learner)
        client.post(complete_url(lessons[0]))
        assert lessons[0].id in done_in(enrolment)

    def test_a_quiz_pass_waits_for_the_minimum_time(
        self, learner, quiz_lesson, django_capture_on_commit_callbacks
    ):
        course_page, lesson, quiz = quiz_lesson
        course_page.minimum_lesson_time_percent = 50
        course_page.save()
        enrolment, _ = progress.enrol(learner, course_page)
        progress.record_lesson_opened(enrolment, lesson)
        pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        assert lesson.id not in done_in(enrolment)


class TestTimeOnTask:
    @pytest.fixture
    def six_minutes(self, client, learner, course_cohort, course):
        """The learner, a cohort member, spent six minutes on the first lesson."""
        _course_page, lessons = course
        cohorts.join(course_cohort, learner)
        enrolment = Enrolment.objects.get(user=learner)
        progress.record_lesson_opened(enrolment, lessons[0])
        open_lesson_ago(enrolment, lessons[0], minutes=6)
        progress.complete_lesson(enrolment, lessons[0])
        assert LessonProgress.objects.get(lesson=lessons[0]).time_spent_seconds >= 360
        return enrolment

    def test_on_my_learning(self, client, learner, six_minutes):
        client.force_login(learner)
        page = client.get(reverse("courses:dashboard")).content.decode()
        assert "Time on task: 6 min" in page
        assert "Lesson 1.1: 6 min" in page

    def test_lesson_titles_are_escaped_on_my_learning(self, client, learner, six_minutes, course):
        _course_page, lessons = course
        LessonPage.objects.filter(pk=lessons[0].pk).update(
            title='<img src=x onerror="alert(1)"> & "Consent"'
        )
        client.force_login(learner)
        page = client.get(reverse("courses:dashboard")).content.decode()
        assert "<img src=x" not in page
        escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;Consent&quot;"
        assert f"<li>{escaped}: 6 min</li>" in page

    def test_in_the_cohort_report_and_its_csv(self, manager_client, course_cohort, six_minutes):
        report = manager_client.get(reverse("courses:cohort", args=[course_cohort.public_id]))
        assert "Time on task: 6 min" in report.content.decode()
        export = manager_client.get(
            reverse("courses:cohort_export", args=[course_cohort.public_id])
        )
        text = b"".join(export.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["Time on task (minutes)"] == "6"

    def test_in_the_data_export(self, learner, six_minutes):
        data = privacy.export_user_data(learner)
        assert data["enrolments"][0]["time_spent_seconds"] >= 360
        assert data["lesson_progress"][0]["time_spent_seconds"] >= 360


class TestOnePrimaryActionPerLessonState:
    def buttons(self, client, lesson):
        html = client.get(lesson.url).content.decode()
        return {
            "mark_complete": "Mark complete and continue" in html,
            "take_quiz": "Take the quiz" in html,
            "pass_first": "Pass the quiz above to complete this lesson" in html,
            "next_lesson": 'Next lesson<span class="visually-hidden">' in html,
        }

    def test_a_quiz_to_pass_replaces_mark_complete_then_next_lesson_follows(
        self, client, learner, quiz_lesson, django_capture_on_commit_callbacks
    ):
        course_page, lesson, quiz = quiz_lesson
        course_page.completion_rule = "lessons_and_quizzes"
        course_page.save_revision().publish()
        progress.enrol(learner, course_page)
        client.force_login(learner)
        before = self.buttons(client, lesson)
        assert before["take_quiz"] and before["pass_first"]
        assert not before["mark_complete"] and not before["next_lesson"]
        pass_quiz(learner, quiz, django_capture_on_commit_callbacks)
        after = self.buttons(client, lesson)
        assert not after["mark_complete"] and not after["pass_first"]
        assert after["next_lesson"]
