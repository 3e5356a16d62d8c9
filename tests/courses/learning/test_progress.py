"""The learner journey: enrol, complete lessons, resume, finish; every refusal is clear."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.learning import completion
from courses.learning import services as progress
from courses.models import CompletionRule, Enrolment, LessonProgress
from courses.signals import course_completed
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def enrol_url(course):
    return reverse("courses:enrol", args=[course.pk])


def complete_url(lesson):
    return reverse("courses:complete_lesson", args=[lesson.pk])


@pytest.fixture
def enrolled(client, course, learner):
    course_page, lessons = course
    client.force_login(learner)
    client.post(enrol_url(course_page))
    return course_page, lessons, Enrolment.objects.get(user=learner)


@pytest.fixture
def completions():
    received = []

    def receiver(sender, enrolment, **kwargs):
        received.append(enrolment.pk)

    course_completed.connect(receiver)
    yield received
    course_completed.disconnect(receiver)


class TestEnrol:
    def test_enrol_and_go_to_the_first_lesson(self, client, course, learner):
        course_page, lessons = course
        client.force_login(learner)
        response = client.post(enrol_url(course_page))
        assert response.status_code == 302
        assert response["Location"] == lessons[0].url
        enrolment = Enrolment.objects.get(user=learner, course=course_page)
        assert (enrolment.lessons_total, enrolment.progress_percent) == (4, 0)
        assert enrolment.next_lesson_id == lessons[0].pk

    def test_enrolling_twice_keeps_one_enrolment(self, client, enrolled):
        course_page, _, _ = enrolled
        client.post(enrol_url(course_page))
        assert Enrolment.objects.count() == 1

    def test_get_is_refused_and_saves_nothing(self, client, course, learner):
        client.force_login(learner)
        assert client.get(enrol_url(course[0])).status_code == 405
        assert not Enrolment.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, course):
        response = client.post(enrol_url(course[0]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert not Enrolment.objects.exists()

    def test_cohort_only_course_refuses_self_enrolment(self, client, course_index, learner):
        course_page, _ = factories.make_course(course_index, allow_self_enrolment=False)
        client.force_login(learner)
        response = client.post(enrol_url(course_page))
        assert response.status_code == 403
        assert b"open only to members of a cohort" in response.content
        assert not Enrolment.objects.exists()
        page = client.get(course_page.url)
        assert b"Enrol in this course" not in page.content

    def test_unpublished_or_unknown_course_is_404(self, client, course, learner):
        client.force_login(learner)
        course[0].unpublish()
        assert client.post(enrol_url(course[0])).status_code == 404
        assert client.post(reverse("courses:enrol", args=[987654])).status_code == 404
        assert not Enrolment.objects.exists()


class TestCompleteLesson:
    def test_mark_complete_and_continue(self, client, enrolled):
        course_page, lessons, enrolment = enrolled
        response = client.post(complete_url(lessons[0]))
        assert response["Location"] == lessons[1].url
        enrolment.refresh_from_db()
        assert (enrolment.lessons_completed, enrolment.progress_percent) == (1, 25)
        assert enrolment.next_lesson_id == lessons[1].pk
        page = client.get(course_page.url).content.decode()
        assert "✓" not in page  # the tick comes from CSS, the text says Done
        assert page.count("state state--done") == 1

    def test_double_click_is_idempotent(self, client, enrolled):
        _, lessons, enrolment = enrolled
        client.post(complete_url(lessons[0]))
        client.post(complete_url(lessons[0]))
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1
        enrolment.refresh_from_db()
        assert enrolment.lessons_completed == 1

    def test_not_enrolled_is_refused_with_a_message(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        response = client.post(complete_url(lessons[0]))
        assert response.status_code == 403
        assert b"Enrol in Test course" in response.content
        assert not LessonProgress.objects.exists()

    def test_unknown_unpublished_and_get(self, client, enrolled):
        _, lessons, _ = enrolled
        assert client.post(reverse("courses:complete_lesson", args=[999999])).status_code == 404
        assert client.get(complete_url(lessons[0])).status_code == 405
        lessons[1].unpublish()
        assert client.post(complete_url(lessons[1])).status_code == 404
        assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    def test_finishing_the_course_records_completion_once(
        self, client, enrolled, completions, django_capture_on_commit_callbacks
    ):
        course_page, lessons, enrolment = enrolled
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                response = client.post(complete_url(lesson))
        assert response["Location"] == reverse("courses:course_complete", args=[course_page.pk])
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None and enrolment.progress_percent == 100
        assert enrolment.next_lesson is None
        first_completed = enrolment.completed_at
        with django_capture_on_commit_callbacks(execute=True):
            client.post(complete_url(lessons[-1]))
        enrolment.refresh_from_db()
        assert enrolment.completed_at == first_completed
        assert completions == [enrolment.pk]
        assert b"Completed" in client.get(reverse("courses:dashboard")).content

    def test_stale_concurrent_requests_complete_the_course_once(
        self, enrolled, completions, django_capture_on_commit_callbacks
    ):
        _, lessons, enrolment = enrolled
        for lesson in lessons[:-1]:
            progress.complete_lesson(enrolment, lesson)
        stale_a = Enrolment.objects.get(pk=enrolment.pk)
        stale_b = Enrolment.objects.get(pk=enrolment.pk)
        with django_capture_on_commit_callbacks(execute=True):
            first = progress.complete_lesson(stale_a, lessons[-1])
            second = progress.complete_lesson(stale_b, lessons[-1])
        assert first.course_newly_completed and not second.course_newly_completed
        assert completions == [enrolment.pk]

    def test_time_spent_is_measured_from_opening_and_capped(self, client, enrolled):
        _, lessons, enrolment = enrolled
        client.get(lessons[0].url)
        client.get(lessons[1].url)
        now = timezone.now()
        LessonProgress.objects.filter(lesson=lessons[0]).update(
            last_opened_at=now - timedelta(minutes=5)
        )
        LessonProgress.objects.filter(lesson=lessons[1]).update(
            last_opened_at=now - timedelta(hours=5)
        )
        client.post(complete_url(lessons[0]))
        client.post(complete_url(lessons[1]))
        spent = dict(LessonProgress.objects.values_list("lesson_id", "time_spent_seconds"))
        assert 295 <= spent[lessons[0].pk] <= 310
        assert spent[lessons[1].pk] == progress.LESSON_TIME_CAP_SECONDS

    def test_lesson_requirement_blocks_completion_until_met(self, client, enrolled):
        _, lessons, enrolment = enrolled
        passed = set()

        def quiz_requirement(user, lesson):
            if lesson.pk == lessons[0].pk and user.pk not in passed:
                return "Pass the quiz in this lesson first."
            return None

        completion.register_requirement(quiz_requirement)
        try:
            response = client.post(complete_url(lessons[0]), follow=True)
            assert b"Pass the quiz in this lesson first." in response.content
            assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
            passed.add(enrolment.user_id)
            client.post(complete_url(lessons[0]))
            assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1
        finally:
            completion.unregister_requirement(quiz_requirement)

    def test_lessons_only_rule_ignores_requirements(self, client, course_index, learner):
        course_page, lessons = factories.make_course(
            course_index, completion_rule=CompletionRule.LESSONS
        )
        client.force_login(learner)
        client.post(enrol_url(course_page))

        def never_met(user, lesson):
            return "Never met"

        completion.register_requirement(never_met)
        try:
            client.post(complete_url(lessons[0]))
        finally:
            completion.unregister_requirement(never_met)
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


class TestSequentialModules:
    def test_next_module_unlocks_when_the_previous_is_complete(self, client, course_index, learner):
        course_page, lessons = factories.make_course(course_index, sequential_modules=True)
        client.force_login(learner)
        client.post(enrol_url(course_page))
        response = client.post(complete_url(lessons[2]))  # module 2
        assert response.status_code == 403
        assert b"unlocks when you complete the earlier modules" in response.content
        page = client.get(course_page.url).content.decode()
        assert page.count("state state--locked") == 2
        client.post(complete_url(lessons[0]))
        client.post(complete_url(lessons[1]))
        assert client.post(complete_url(lessons[2])).status_code == 302
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3


class TestResumeAndDashboard:
    def test_resume_at_the_right_lesson_after_logging_in_again(self, enrolled, learner):
        _, lessons, _ = enrolled
        first = Client()
        first.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
        first.post(complete_url(lessons[0]))
        first.post(complete_url(lessons[1]))
        first.post(reverse("account_logout"))
        second = Client()
        second.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
        dashboard = second.get(reverse("courses:dashboard")).content.decode()
        assert f'href="{lessons[2].url}"' in dashboard
        assert "Resume" in dashboard and "50% complete" in dashboard

    def test_dashboard_needs_login(self, client):
        response = client.get(reverse("courses:dashboard"))
        assert response.status_code == 302

    def test_a_learner_never_sees_another_learners_progress(self, client, enrolled, make_user):
        course_page, lessons, _ = enrolled
        client.post(complete_url(lessons[0]))
        other = make_user("other@example.org")
        client.force_login(other)
        assert "state--done" not in client.get(course_page.url).content.decode()
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert "Test course" not in dashboard

    def test_unenrol_keeps_history_and_enrolling_again_resumes(self, client, enrolled):
        course_page, lessons, enrolment = enrolled
        client.post(complete_url(lessons[0]))
        unenrol = reverse("courses:unenrol", args=[course_page.pk])
        assert b"Leave this course?" in client.get(unenrol).content
        client.post(unenrol)
        enrolment.refresh_from_db()
        assert enrolment.unenrolled_at is not None
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert "You have left Test course" in dashboard
        assert "progress__bar" not in dashboard
        response = client.post(enrol_url(course_page))
        assert response["Location"] == lessons[1].url
        enrolment.refresh_from_db()
        assert enrolment.unenrolled_at is None and enrolment.lessons_completed == 1

    def test_due_dates_show_and_overdue_is_flagged(self, client, enrolled):
        _, _, enrolment = enrolled
        Enrolment.objects.filter(pk=enrolment.pk).update(due_at=timezone.now() - timedelta(days=2))
        assert b"Overdue: was due" in client.get(reverse("courses:dashboard")).content


class TestQueryCounts:
    @pytest.mark.parametrize("lessons_per_module", [5, 50])
    def test_dashboard_is_constant(
        self, client, course_index, learner, lessons_per_module, django_assert_max_num_queries
    ):
        client.force_login(learner)
        for n in range(3):
            course_page, _ = factories.make_course(
                course_index, slug=f"c{n}", modules=2, lessons_per_module=lessons_per_module
            )
            progress.enrol(learner, course_page)
        client.get(reverse("courses:dashboard"))
        # 9: 3 for cohorts (the verified-address check, invitations, memberships) and 1 for
        # time on task (every enrolment's lessons at once) among them.
        with django_assert_max_num_queries(9):
            response = client.get(reverse("courses:dashboard"))
        assert response.content.count(b"progress__bar") == 3

    @pytest.mark.parametrize("lessons_per_module", [5, 50])
    def test_enrolled_course_page_is_constant(
        self, client, course_index, learner, lessons_per_module, django_assert_max_num_queries
    ):
        course_page, lessons = factories.make_course(
            course_index, modules=2, lessons_per_module=lessons_per_module
        )
        enrolment, _ = progress.enrol(learner, course_page)
        for lesson in lessons[:3]:
            progress.complete_lesson(enrolment, lesson)
        client.force_login(learner)
        client.get(course_page.url)
        with django_assert_max_num_queries(12):
            response = client.get(course_page.url)
        assert response.content.decode().count("state state--done") == 3

    @pytest.mark.parametrize("lessons_per_module", [5, 50])
    def test_complete_is_constant(
        self, client, course_index, learner, lessons_per_module, django_assert_max_num_queries
    ):
        course_page, lessons = factories.make_course(
            course_index, modules=2, lessons_per_module=lessons_per_module
        )
        client.force_login(learner)
        client.post(enrol_url(course_page))
        client.post(complete_url(lessons[0]))
        with django_assert_max_num_queries(24):
            client.post(complete_url(lessons[1]))


@pytest.mark.django_db(transaction=True)
class TestRealConcurrency:
    """Two requests finishing the course at the same moment, on PostgreSQL."""

    def test_parallel_final_completion_is_recorded_once(self, completions, learner):
        if connection.vendor != "postgresql":
            pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
        index = factories.make_course_index()
        course_page, lessons = factories.make_course(index, modules=1, lessons_per_module=2)
        enrolment, _ = progress.enrol(learner, course_page)
        progress.complete_lesson(enrolment, lessons[0])
        results, errors = factories.race(lambda: progress.complete_lesson(enrolment, lessons[1]))
        assert errors == []
        assert len(results) == 4
        assert sum(r.course_newly_completed for r in results) == 1
        assert sum(r.lesson_newly_completed for r in results) == 1
        assert completions == [enrolment.pk]
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 2
