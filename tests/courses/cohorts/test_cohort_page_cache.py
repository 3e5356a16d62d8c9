"""The cohort page's summary figures come from the cache: what the manager sees must still
follow every change at once (progress, quizzes, membership, the cohort's due date) and the
passing of a due date or a certificate's expiry; and the page costs a fixed number of
queries whatever the size of the cohort."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import reports
from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import Certificate, Enrolment
from quizzes import services as quiz_services
from tests import factories
from tests.factories import JIT_OFF


@pytest.fixture
def cohort(course_cohort):
    return course_cohort


@pytest.fixture
def members(cohort, make_user, django_capture_on_commit_callbacks):
    """Six members, none started (five are needed before the figures are shown)."""
    users = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            user = make_user(f"member{n}@example.org", first_name=f"Member{n}", last_name="Test")
            cohorts.join(cohort, user)
            users.append(user)
    return users


def figures(client, cohort, **params):
    url = reverse("courses:cohort", args=[cohort.public_id])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    response = client.get(url)
    assert response.status_code == 200
    summary = response.context["summary"]
    return {str(figure.label): figure.value for figure in summary.figures} | {
        "members": summary.members
    }


def test_completing_a_lesson_changes_the_figures_at_once(
    client, manager, cohort, course, members, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    before = figures(client, cohort)
    assert (before["Not started"], before["In progress"]) == (6, 0)
    assert figures(client, cohort) == before  # the second view comes from the cache

    enrolment = Enrolment.objects.get(user=members[0], course=course[0])
    with django_capture_on_commit_callbacks(execute=True):
        progress.complete_lesson(enrolment, course[1][0])
    after = figures(client, cohort)
    assert (after["Not started"], after["In progress"]) == (5, 1)

    with django_capture_on_commit_callbacks(execute=True):
        for lesson in course[1][1:]:
            progress.complete_lesson(enrolment, lesson)
    done = figures(client, cohort)
    assert (done["In progress"], done["Completed (this cycle)"]) == (0, 1)
    assert done["Holding a valid certificate"] == 1


def test_joining_and_leaving_change_the_figures_at_once(
    client, manager, cohort, members, make_user, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert figures(client, cohort)["members"] == 6
    newcomer = make_user("newcomer@example.org", first_name="New", last_name="Comer")
    with django_capture_on_commit_callbacks(execute=True):
        cohorts.join(cohort, newcomer)
    assert figures(client, cohort)["members"] == 7
    with django_capture_on_commit_callbacks(execute=True):
        cohorts.leave_cohort(cohort, members[0])
        cohorts.remove_member(cohort, members[1], removed_by=manager)
    after = figures(client, cohort)
    assert after["members"] == 5
    assert after["Not started"] == 5


def test_a_quiz_pass_changes_the_figures_at_once(
    client, manager, cohort, course, members, django_capture_on_commit_callbacks
):
    quiz = factories.make_quiz(title="Check your understanding")
    lesson = course[1][0]
    type(lesson).objects.filter(pk=lesson.pk).update(quiz=quiz)
    client.force_login(manager)
    assert figures(client, cohort)["Passed every quiz"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_services.start_attempt(members[0], quiz)
        answers = {
            question["id"]: [choice["id"] for choice in question["choices"] if choice["correct"]]
            for question in attempt.snapshot
        }
        quiz_services.submit_attempt(attempt, answers)
    assert figures(client, cohort)["Passed every quiz"] == 1


def test_a_due_date_change_shows_at_once(
    client, manager, cohort, members, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert figures(client, cohort)["Overdue"] == 0
    cohort.due_on = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        cohort.save()
        cohorts.apply_due_dates(cohort)
    assert figures(client, cohort)["Overdue"] == 6


def _summary(cohort, course, now):
    report = reports.CohortReport(cohort, reports.Filters(course=course), quiz_ids=(), now=now)
    return report.summary()


def test_figures_change_when_a_due_date_or_an_expiry_passes(cohort, course, members):
    """Nobody does anything: the cached figures still give way when a member's due date or a
    certificate's expiry comes."""
    now = timezone.now()
    Enrolment.objects.filter(user=members[0]).update(due_at=now + timedelta(hours=1))
    enrolment = Enrolment.objects.get(user=members[1])
    Enrolment.objects.filter(pk=enrolment.pk).update(
        completed_at=now, lessons_completed=4, progress_percent=100
    )
    Certificate.objects.create(
        enrolment=enrolment,
        user=members[1],
        course=course[0],
        course_title=course[0].title,
        name_on_certificate="Member1 Test",
        issued_at=now,
        expires_at=now + timedelta(hours=2),
    )
    first = _summary(cohort, course[0], now)
    assert (first.counts[reports.OVERDUE], first.certificates) == (0, 1)
    assert _summary(cohort, course[0], now + timedelta(minutes=1)).counts == first.counts
    later = _summary(cohort, course[0], now + timedelta(hours=1, seconds=1))
    assert (later.counts[reports.OVERDUE], later.certificates) == (1, 1)
    latest = _summary(cohort, course[0], now + timedelta(hours=2, seconds=1))
    assert latest.certificates == 0


def test_each_cohort_and_course_has_its_own_figures(
    client, manager, organisation, cohort, course_index, members
):
    small_course, _lessons = factories.make_course(
        course_index, slug="second-course", title="A second course", modules=1, lessons_per_module=1
    )
    other = factories.make_cohort(small_course, organisation=organisation, name="Other")
    client.force_login(manager)
    assert figures(client, cohort)["members"] == 6
    assert figures(client, other)["members"] == 0
    cohort.courses.add(small_course)
    cohorts.enrol_members(cohort, members[:2])
    mine = figures(client, cohort, course=small_course.pk)
    assert mine["members"] == 6
    assert (mine["Not started"], mine["In progress"]) == (6, 0)
    assert (
        client.get(
            reverse("courses:cohort", args=[cohort.public_id]) + f"?course={small_course.pk}"
        ).context["course"]
        == small_course
    )


def names(client, cohort, **params):
    url = reverse("courses:cohort", args=[cohort.public_id])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return [row["name"] for row in client.get(url).context["rows"]]


def test_the_order_of_members_follows_renames_and_newcomers_at_once(
    client, manager, cohort, members, make_user, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert names(client, cohort)[:2] == ["Member0 Test", "Member1 Test"]
    assert names(client, cohort, sort="-name")[0] == "Member5 Test"
    members[5].first_name = "Aaron"
    with django_capture_on_commit_callbacks(execute=True):
        members[5].save()
    assert names(client, cohort)[:2] == ["Aaron Test", "Member0 Test"]
    with django_capture_on_commit_callbacks(execute=True):
        cohorts.join(cohort, make_user("abe@example.org", first_name="Aa", last_name="Be"))
    assert names(client, cohort)[:2] == ["Aa Be", "Aaron Test"]
    with django_capture_on_commit_callbacks(execute=True):
        cohorts.remove_member(cohort, members[0], removed_by=manager)
    assert "Member0 Test" not in names(client, cohort)
    # Signing in saves the account too, but changes nobody's place.
    client.force_login(members[1])
    client.force_login(manager)
    assert names(client, cohort)[:3] == ["Aa Be", "Aaron Test", "Member1 Test"]


def test_a_cache_that_keeps_nothing_still_gives_the_figures(
    client, manager, cohort, course, members, django_capture_on_commit_callbacks
):
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        client.force_login(manager)
        assert figures(client, cohort)["Not started"] == 6
        enrolment = Enrolment.objects.get(user=members[0], course=course[0])
        progress.complete_lesson(enrolment, course[1][0])  # no commit: nothing is forgotten
        assert figures(client, cohort)["Not started"] == 5
        assert names(client, cohort)[0] == "Member0 Test"


class TestQueryCounts:
    @pytest.mark.parametrize("size", [5, 60])
    def test_the_cohort_page_is_constant_in_the_number_of_members(
        self,
        client,
        manager,
        cohort,
        course,
        make_user,
        size,
        django_assert_max_num_queries,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(size):
                user = make_user(f"p{n:03d}@example.org", first_name=f"P{n:03d}", last_name="T")
                cohorts.join(cohort, user)
            cohorts.add_people(cohort, [("pending@example.org", "")])
        client.force_login(manager)
        url = reverse("courses:cohort", args=[cohort.public_id])
        client.get(url)  # the first request of a session fills per-person caches
        # Session, user and permissions 4, verified address 1, cohort 1, courses 1,
        # quizzes 1, invited 1, members' order 1, members 1, their enrolments 1,
        # invitations 1, their delivery 1, "declined or left" 2, may manage 1.
        with django_assert_max_num_queries(17 + JIT_OFF):
            response = client.get(url)
        assert len(response.context["rows"]) == min(size, 50)
        assert response.context["summary"].members == size
        # After a change the summary is computed again: the figures and when they may next
        # change by themselves (two queries).
        with django_capture_on_commit_callbacks(execute=True):
            cohorts.join(cohort, make_user("late@example.org", first_name="Late", last_name="T"))
        with django_assert_max_num_queries(20 + JIT_OFF):
            response = client.get(url)
        assert response.context["summary"].members == size + 1
        with django_assert_max_num_queries(17 + JIT_OFF):
            response = client.get(url + "?q=p0&sort=-progress&status=not_started")
        assert response.status_code == 200


def test_revoking_and_restoring_a_certificate_show_at_once(
    client, admin_client, manager, cohort, course, members, django_capture_on_commit_callbacks
):
    enrolment = Enrolment.objects.get(user=members[0], course=course[0])
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in course[1]:
            progress.complete_lesson(enrolment, lesson)
    certificate = Certificate.objects.get(enrolment=enrolment)
    client.force_login(manager)
    assert figures(client, cohort)["Holding a valid certificate"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("certificates:revoke", args=[certificate.pk]), {"reason": "Issued in error."}
        )
    assert figures(client, cohort)["Holding a valid certificate"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("certificates:restore", args=[certificate.pk]), {"reason": "It was right."}
        )
    assert figures(client, cohort)["Holding a valid certificate"] == 1
