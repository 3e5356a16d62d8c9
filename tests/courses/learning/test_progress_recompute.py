"""Stored progress stays true when editors publish, unpublish, move or delete lessons."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.signals import task_enqueued

from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.learning.tasks import recompute_course_progress
from courses.models import Certificate, Enrolment, LessonPage, LessonProgress, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def recomputes():
    """The course ids of every `recompute_course_progress` queued while the test runs."""
    queued = []

    def receiver(sender, task_result, **kwargs):
        if task_result.task.name == recompute_course_progress.name:
            queued.append(task_result.args[0])

    task_enqueued.connect(receiver)
    yield queued
    task_enqueued.disconnect(receiver)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a content change and what waits for its transaction to commit, as in production."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def taking(course, course_cohort, learner, commit):
    """The learner joined the cohort taking the 4-lesson course and finished one lesson."""
    course_page, lessons = course
    cohorts.join(course_cohort, learner)
    enrolment = Enrolment.objects.get(user=learner, course=course_page)
    commit(progress.complete_lesson, enrolment, lessons[0])
    enrolment.refresh_from_db()
    return course_page, lessons, enrolment


def new_lesson(module, slug="new-lesson", title="Supporting a disclosure"):
    """A draft lesson added at the end of the module (learners do not see it yet)."""
    lesson = LessonPage(title=title, slug=slug, body=factories.lesson_body(), live=False)
    module.add_child(instance=lesson)
    return lesson


def text(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def seen_everywhere(client, learner, manager, course_page, cohort):
    """What the learner sees on the course page and My learning, and the manager in the
    cohort report."""
    client.force_login(learner)
    course_text = text(client.get(course_page.url))
    dashboard_text = text(client.get(reverse("courses:dashboard")))
    client.force_login(manager)
    report_text = text(client.get(reverse("courses:cohort", args=[cohort.public_id])))
    return course_text, dashboard_text, report_text


class TestTotalsFollowTheContent:
    def test_publishing_a_lesson_updates_every_page_that_shows_progress(
        self, client, taking, learner, manager, course_cohort, commit
    ):
        course_page, lessons, _enrolment = taking
        pages = seen_everywhere(client, learner, manager, course_page, course_cohort)
        assert all("1 of 4 lessons" in page for page in pages)
        lesson = new_lesson(lessons[-1].get_parent())
        assert (
            "1 of 4 lessons"
            in seen_everywhere(client, learner, manager, course_page, course_cohort)[0]
        )  # a draft changes nothing
        commit(lesson.save_revision().publish)
        course_text, dashboard_text, report_text = seen_everywhere(
            client, learner, manager, course_page, course_cohort
        )
        assert "20% complete · 1 of 5 lessons" in course_text
        assert "20% complete · 1 of 5 lessons" in dashboard_text
        assert "1 of 5 lessons" in report_text
        assert "1 of 4" not in course_text + dashboard_text + report_text

    def test_unpublishing_a_lesson_drops_it_from_the_totals(self, taking, commit):
        course_page, lessons, enrolment = taking
        commit(lessons[1].specific.unpublish)
        enrolment.refresh_from_db()
        assert (enrolment.lessons_completed, enrolment.lessons_total) == (1, 3)
        assert enrolment.progress_percent == 33
        assert enrolment.next_lesson_id == lessons[2].pk

    def test_unpublishing_a_module_hides_its_lessons(self, client, taking, learner, commit):
        course_page, lessons, enrolment = taking
        commit(lessons[2].get_parent().specific.unpublish)
        client.force_login(learner)
        assert "50% complete · 1 of 2 lessons" in text(client.get(course_page.url))
        assert "50% complete · 1 of 2 lessons" in text(client.get(reverse("courses:dashboard")))
        assert "Lesson 2 of 2" in text(client.get(lessons[1].url))

    def test_deleting_lessons_drops_them_and_their_completions(self, taking, commit):
        course_page, lessons, enrolment = taking
        commit(lessons[3].delete)
        enrolment.refresh_from_db()
        assert (enrolment.lessons_completed, enrolment.lessons_total) == (1, 3)
        commit(lessons[0].delete)  # the completed one
        enrolment.refresh_from_db()
        assert (enrolment.lessons_completed, enrolment.lessons_total) == (0, 2)
        assert enrolment.next_lesson_id == lessons[1].pk

    def test_moving_a_lesson_to_another_course_updates_both(
        self, course_index, taking, make_user, commit
    ):
        course_page, lessons, enrolment = taking
        other, other_lessons = factories.make_course(
            course_index, slug="other", modules=1, lessons_per_module=1
        )
        other_enrolment, _ = progress.enrol(make_user("other@example.org"), other)
        assert other_enrolment.lessons_total == 1
        commit(lessons[1].move, other_lessons[0].get_parent(), pos="last-child")
        enrolment.refresh_from_db()
        other_enrolment.refresh_from_db()
        assert (enrolment.lessons_completed, enrolment.lessons_total) == (1, 3)
        assert enrolment.next_lesson_id == lessons[2].pk
        assert (other_enrolment.lessons_total, other_enrolment.progress_percent) == (2, 0)

    def test_reordering_lessons_updates_the_next_lesson(self, taking, commit):
        course_page, lessons, enrolment = taking
        assert enrolment.next_lesson_id == lessons[1].pk
        commit(lessons[2].move, lessons[1], pos="left")
        enrolment.refresh_from_db()
        assert enrolment.next_lesson_id == lessons[2].pk


class TestCompletionIsKept:
    def test_a_completed_learner_keeps_completion_and_certificate(
        self, client, course, learner, commit
    ):
        course_page, lessons = course
        enrolment, _ = progress.enrol(learner, course_page)
        for lesson in lessons:
            commit(progress.complete_lesson, enrolment, lesson)
        certificate = Certificate.objects.get(enrolment=enrolment)
        commit(new_lesson(lessons[-1].get_parent()).save_revision().publish)
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None
        assert Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).exists()
        client.force_login(learner)
        assert "100% complete · 4 of 4 lessons" in text(client.get(course_page.url))

    def test_removing_the_last_unfinished_lesson_does_not_complete_the_course(self, taking, commit):
        course_page, lessons, enrolment = taking
        for lesson in lessons[1:3]:
            commit(progress.complete_lesson, enrolment, lesson)
        commit(lessons[3].delete)
        enrolment.refresh_from_db()
        assert enrolment.progress_percent == 100
        assert enrolment.next_lesson_id is None
        assert enrolment.completed_at is None
        assert not Certificate.objects.filter(enrolment=enrolment).exists()


class TestFinishTheCourse:
    def finish_url(self, course_page):
        return reverse("courses:finish_course", args=[course_page.pk])

    def test_a_learner_whose_remaining_lessons_were_removed_finishes_it_themselves(
        self, client, taking, learner, commit
    ):
        course_page, lessons, enrolment = taking
        for lesson in lessons[1:3]:
            commit(progress.complete_lesson, enrolment, lesson)
        commit(lessons[3].delete)
        client.force_login(learner)
        page = text(client.get(course_page.url))
        assert "100% complete · 3 of 3 lessons" in page
        assert "Finish the course" in page
        response = commit(client.post, self.finish_url(course_page), follow=True)
        assert response.redirect_chain == [
            (reverse("courses:course_complete", args=[course_page.pk]), 302)
        ]
        page = text(response)
        assert "You have completed Test course. Well done." in page
        assert "Finish the course" not in page
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None
        assert Certificate.objects.filter(enrolment=enrolment).count() == 1

    def test_finishing_with_lessons_left_completes_nothing(self, client, taking, learner):
        course_page, lessons, enrolment = taking
        client.force_login(learner)
        assert "Finish the course" not in text(client.get(course_page.url))
        response = client.post(self.finish_url(course_page), follow=True)
        assert response.redirect_chain == [(course_page.url, 302)]
        page = text(response)
        assert "There are lessons still to complete." in page
        enrolment.refresh_from_db()
        assert enrolment.completed_at is None
        assert client.get(self.finish_url(course_page)).status_code == 405

    def test_only_enrolled_learners_can_finish(self, client, course, make_user):
        course_page, _lessons = course
        url = self.finish_url(course_page)
        assert reverse("account_login") in client.post(url)["Location"]
        client.force_login(make_user("someone@example.org"))
        response = client.post(url)
        assert response.status_code == 403
        assert not Enrolment.objects.exists()


class TestRecomputeCost:
    def enrol_many(self, course_page, lessons, count, start):
        users = get_user_model().objects.bulk_create(
            get_user_model()(email=f"p{start + n}@example.org") for n in range(count)
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(user=user, course=course_page) for user in users
        )
        LessonProgress.objects.bulk_create(
            LessonProgress(enrolment=e, lesson=lessons[0], completed_at=timezone.now())
            for e in enrolments
        )

    def queries(self, course_page):
        Enrolment.objects.filter(course=course_page).update(lessons_total=99)
        with CaptureQueriesContext(connection) as context:
            recompute_course_progress.call(course_page.pk)
        return len(context)

    def test_queries_do_not_grow_with_the_number_of_enrolments(self, course):
        course_page, lessons = course
        self.enrol_many(course_page, lessons, 3, start=0)
        few = self.queries(course_page)
        self.enrol_many(course_page, lessons, 57, start=3)
        assert self.queries(course_page) == few <= 10
        assert set(
            Enrolment.objects.filter(course=course_page).values_list(
                "lessons_completed", "lessons_total", "progress_percent"
            )
        ) == {(1, 4, 25)}

    def test_publishing_a_module_with_its_lessons_queues_one_recompute(
        self, course, recomputes, commit
    ):
        course_page, lessons = course
        module = ModulePage(title="Module 3", slug="module-3", live=False)
        course_page.add_child(instance=module)
        drafts = [new_lesson(module, slug=f"new-{n}", title=f"Lesson 3.{n}") for n in range(3)]

        def publish_all():
            from django.db import transaction

            with transaction.atomic():
                module.save_revision().publish()
                for lesson in drafts:
                    lesson.save_revision().publish()

        commit(publish_all)
        assert recomputes == [course_page.pk]
