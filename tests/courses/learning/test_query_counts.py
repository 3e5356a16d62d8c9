"""Learner pages cost a fixed number of queries however big the course, and reading a lesson
again writes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from courses.learning import services as progress
from courses.models import Enrolment, LessonProgress
from quizzes.models import Attempt
from tests import factories

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries):
    """The SQL statements among captured queries that change data."""
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def big_course(course_index, learner, client):
    """A learner part-way through a course of 6 modules × 10 lessons, signed in."""
    course, lessons = factories.make_course(course_index, modules=6, lessons_per_module=10)
    enrolment, _ = progress.enrol(learner, course)
    for lesson in lessons[:5]:
        progress.complete_lesson(enrolment, lesson)
    client.force_login(learner)
    return course, lessons, enrolment


class TestLearnerPageQueryCounts:
    @pytest.mark.parametrize("lessons_per_module", [5, 30])
    def test_lesson_page_is_constant(
        self, client, course_index, learner, lessons_per_module, django_assert_max_num_queries
    ):
        course, lessons = factories.make_course(
            course_index, modules=2, lessons_per_module=lessons_per_module
        )
        progress.enrol(learner, course)
        client.force_login(learner)
        client.get(lessons[3].url)
        client.get(lessons[3].url)  # the route, outline and body are cached now
        with django_assert_max_num_queries(5):
            response = client.get(lessons[3].url)
        assert response.status_code == 200
        assert response.content.decode().count("Lesson 1.") >= lessons_per_module
        # Opening a lesson for the first time records it: a few writes more, still constant.
        with django_assert_max_num_queries(18):
            client.get(lessons[4].url)

    def test_course_and_module_pages(self, client, big_course, django_assert_max_num_queries):
        course, lessons, _ = big_course
        client.get(course.url)
        client.get(course.url)
        with django_assert_max_num_queries(5):
            response = client.get(course.url)
        assert response.content.decode().count("state state--done") == 5
        module_url = lessons[12].get_parent().url
        client.get(module_url)
        client.get(module_url)
        with django_assert_max_num_queries(6):
            response = client.get(module_url)
        assert "Lesson 2.3" in response.content.decode()

    def test_my_learning(self, client, big_course, django_assert_max_num_queries):
        client.get(reverse("courses:dashboard"))  # the site is cached now
        with django_assert_max_num_queries(6):
            response = client.get(reverse("courses:dashboard"))
        assert response.content.count(b"progress__bar") == 1

    def test_quiz_attempt_page(self, client, learner, django_assert_max_num_queries):
        questions = [
            ("single", f"Question {n}", [("Right", True), ("Wrong", False)]) for n in range(20)
        ]
        quiz = factories.make_quiz(questions=questions)
        client.force_login(learner)
        client.post(reverse("quizzes:start", args=[quiz.pk]))
        url = reverse("quizzes:attempt", args=[Attempt.objects.latest("pk").pk])
        client.get(url)
        with django_assert_max_num_queries(4):
            response = client.get(url)
        assert "Question 19" in response.content.decode()


class TestOpeningLessonsWrites:
    def test_reopening_the_same_lesson_writes_nothing(self, client, big_course):
        _, lessons, _ = big_course
        client.get(lessons[5].url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(lessons[5].url)
        assert response.status_code == 200
        assert writes(ctx.captured_queries) == []

    def test_opening_another_lesson_records_it(self, client, big_course):
        _, lessons, enrolment = big_course
        client.get(lessons[5].url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(lessons[6].url)
        assert len(writes(ctx.captured_queries)) >= 2
        record = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[6])
        assert record.last_opened_at is not None
        enrolment.refresh_from_db()
        assert enrolment.last_activity_at == record.last_opened_at
        # Back to the first lesson: it is no longer the one recorded last, so it is recorded.
        with CaptureQueriesContext(connection) as ctx:
            client.get(lessons[5].url)
        assert writes(ctx.captured_queries)
        enrolment.refresh_from_db()
        opened = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[5])
        assert enrolment.last_activity_at == opened.last_opened_at

    def test_reopening_after_the_window_is_recorded(self, client, big_course):
        _, lessons, enrolment = big_course
        client.get(lessons[5].url)
        earlier = timezone.now() - timedelta(seconds=progress.REOPEN_WINDOW_SECONDS + 60)
        LessonProgress.objects.filter(lesson=lessons[5]).update(last_opened_at=earlier)
        Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=earlier)
        with CaptureQueriesContext(connection) as ctx:
            client.get(lessons[5].url)
        assert writes(ctx.captured_queries)
        assert LessonProgress.objects.get(lesson=lessons[5]).last_opened_at > earlier

    def test_time_on_task_counts_from_opening_through_reloads(self, client, big_course):
        _, lessons, enrolment = big_course
        client.get(lessons[5].url)
        opened = timezone.now() - timedelta(minutes=3)
        LessonProgress.objects.filter(lesson=lessons[5]).update(last_opened_at=opened)
        Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=opened)
        client.get(lessons[5].url)  # a reload within the window
        client.post(reverse("courses:complete_lesson", args=[lessons[5].pk]))
        record = LessonProgress.objects.get(lesson=lessons[5])
        assert record.completed_at is not None
        assert 175 <= record.time_spent_seconds <= 200
        enrolment.refresh_from_db()
        assert enrolment.next_lesson_id == lessons[6].pk


class TestRouting:
    def test_lesson_in_an_unpublished_module_is_not_found(self, client, big_course):
        _, lessons, _ = big_course
        lessons[12].get_parent().specific.unpublish()
        assert client.get(lessons[12].url_path.replace("/home", "", 1)).status_code == 404

    def test_draft_lesson_is_not_found(self, client, big_course):
        course, lessons, _ = big_course
        url = lessons[7].url
        lessons[7].specific.unpublish()
        assert client.get(url).status_code == 404
        assert client.get(course.url + "no-such-module/").status_code == 404

    def test_private_course_restriction_applies_to_its_lessons(self, client, big_course):
        course, lessons, _ = big_course
        url = lessons[7].url
        PageViewRestriction.objects.create(
            page=course, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-words"
        )
        response = client.get(url)
        assert response.status_code == 200
        assert "password" in response.content.decode().lower()
        assert "Lesson 1.8" not in response.content.decode()

    def test_renamed_lesson_shows_in_the_outline(self, client, big_course):
        course, lessons, _ = big_course
        client.get(lessons[1].url)
        lesson = lessons[2].specific
        lesson.title = "Recognising control"
        lesson.save_revision().publish()
        assert "Recognising control" in client.get(lessons[1].url).content.decode()

    def test_course_page_outline_follows_publishing(self, client, big_course):
        """The course page's outline comes from the cached outline: a lesson or module
        renamed and published, or a module unpublished, shows on the next visit."""
        course, lessons, _ = big_course
        assert "Lesson 2.3" in client.get(course.url).content.decode()  # cached now
        lesson = lessons[12].specific
        lesson.title = "Listening without judgement"
        lesson.save_revision().publish()
        module = lessons[20].get_parent().specific
        module.title = "Referral pathways"
        module.save_revision().publish()
        html = client.get(course.url).content.decode()
        assert "Listening without judgement" in html and "Lesson 2.3" not in html
        assert "Referral pathways" in html
        module.unpublish()
        html = client.get(course.url).content.decode()
        assert "Referral pathways" not in html and "Lesson 3.1" not in html
        assert "Listening without judgement" in html

    def test_outline_links_are_the_pages_urls(self, client, big_course):
        """The outline builds lesson links from the course's URL; they are the lessons' own."""
        course, lessons, _ = big_course
        html = client.get(course.url).content.decode()
        lesson_html = client.get(lessons[3].url).content.decode()
        for lesson in lessons:
            assert f'href="{lesson.url}"' in html
            assert f'href="{lesson.url}"' in lesson_html
        assert f'href="{lessons[12].get_parent().url}"' in html
