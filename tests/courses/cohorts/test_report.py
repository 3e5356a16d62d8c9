"""The manager area: /manage/, a cohort's report page, and overdue reminders."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import reports
from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import CohortMembership, Enrolment
from tests import factories
from tests.factories import JIT_OFF

FUTURE = date(2030, 6, 30)


@pytest.fixture
def cohort(course_cohort):
    """In these tests the cohort takes the two-module course (see tests/courses/conftest.py)."""
    return course_cohort


def cohort_url(cohort, **params):
    from urllib.parse import urlencode

    url = reverse("courses:cohort", args=[cohort.public_id])
    return url + ("?" + urlencode(params) if params else "")


def add_members(cohort, make_user, count, prefix="member"):
    users = [
        make_user(f"{prefix}{n:03d}@example.org", first_name=f"Person{n:03d}", last_name="Test")
        for n in range(count)
    ]
    for user in users:
        cohorts.join(cohort, user)
    return users


def enrolment_of(user, course_page):
    return Enrolment.objects.get(user=user, course=course_page)


def complete(user, course, count, capture=None):
    """Complete the first `count` lessons of the course for the user."""
    course_page, lessons = course
    enrolment = enrolment_of(user, course_page)
    for lesson in lessons[:count]:
        if capture is not None:
            with capture(execute=True):
                progress.complete_lesson(enrolment, lesson)
        else:
            progress.complete_lesson(enrolment, lesson)


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="courses", codename__in=codenames)
    )


@pytest.fixture
def mixed(cohort, course, make_user, django_capture_on_commit_callbacks):
    """Six members: not started ×2, in progress (1 of 4, 3 of 4), completed, overdue; and one
    pending invitation."""
    names = [
        ("ada@example.org", "Ada", "Achebe"),
        ("ben@example.org", "Ben", "Novak"),
        ("cleo@example.org", "Cleo", "Diaz"),
        ("dan@example.org", "Dan", "Evans"),
        ("eve@example.org", "Eve", "Fisher"),
        ("finn@example.org", "Finn", "Gray"),
    ]
    users = {}
    for email, first, last in names:
        users[first] = make_user(email, first_name=first, last_name=last)
        cohorts.join(cohort, users[first])
    complete(users["Ben"], course, 1)
    complete(users["Cleo"], course, 3)
    complete(users["Dan"], course, 4, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()  # Dan's completion email: the reminder tests count only reminders
    # Eve has a personal due date that has passed (set by an earlier cohort).
    Enrolment.objects.filter(user=users["Eve"]).update(
        due_at=timezone.now() - timedelta(days=2), lessons_completed=1, progress_percent=25
    )
    with django_capture_on_commit_callbacks(execute=True):
        cohorts.add_people(cohort, [("new.person@example.org", "New Person")])
    mail.outbox.clear()  # the invitation email, delivered
    return users


def page_text(response):
    return response.content.decode()


class TestAccess:
    def test_anonymous_is_sent_to_log_in(self, client, cohort):
        for url in (reverse("courses:manage"), cohort_url(cohort)):
            response = client.get(url)
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]

    def test_a_learner_is_refused_the_area_and_cannot_see_a_cohort(self, client, learner, cohort):
        client.force_login(learner)
        response = client.get(reverse("courses:manage"))
        assert response.status_code == 403
        assert "not a manager of any organisation" in page_text(response)
        assert client.get(cohort_url(cohort)).status_code == 404

    def test_a_manager_of_another_organisation_gets_404(self, client, make_user, cohort):
        other = make_user("other.manager@example.org")
        factories.make_organisation(name="Another org", managers=[other])
        client.force_login(other)
        assert client.get(reverse("courses:manage")).status_code == 200
        assert client.get(cohort_url(cohort)).status_code == 404
        remind = reverse("courses:cohort_remind", args=[cohort.public_id])
        assert client.post(remind).status_code == 404
        assert cohort.name not in page_text(client.get(reverse("courses:manage")))

    def test_staff_with_the_view_permission_see_every_cohort(self, client, make_user, cohort):
        staff = make_user("staff@example.org", is_staff=True)
        grant(staff, "view_cohort")
        client.force_login(staff)
        response = client.get(reverse("courses:manage"))
        assert response.status_code == 200
        assert cohort.name in page_text(response)
        response = client.get(cohort_url(cohort))
        assert response.status_code == 200
        assert response.context["can_manage"] is False
        assert "Remind overdue members" not in page_text(response)

    def test_the_manager_sees_their_cohort(self, client, manager, cohort):
        client.force_login(manager)
        response = client.get(reverse("courses:manage"))
        assert response.status_code == 200
        assert cohort.name in page_text(response)
        response = client.get(cohort_url(cohort))
        assert response.status_code == 200
        assert response.context["can_manage"] is True

    def test_the_manage_link_shows_for_managers_only(self, client, manager, learner, cohort):
        client.force_login(learner)
        assert 'href="/manage/"' not in page_text(client.get(reverse("courses:dashboard")))
        client.force_login(manager)
        assert 'href="/manage/"' in page_text(client.get(reverse("courses:dashboard")))

    def test_the_manage_link_follows_changes_to_the_managers_at_once(
        self, client, manager, learner, cohort
    ):
        client.force_login(learner)
        assert 'href="/manage/"' not in page_text(client.get(reverse("courses:dashboard")))
        cohort.organisation.managers.add(learner)
        assert 'href="/manage/"' in page_text(client.get(reverse("courses:dashboard")))
        learner.managed_organisations.remove(cohort.organisation)
        assert 'href="/manage/"' not in page_text(client.get(reverse("courses:dashboard")))
        cohort.organisation.managers.add(learner)
        page_text(client.get(reverse("courses:dashboard")))
        cohort.organisation.managers.clear()
        assert 'href="/manage/"' not in page_text(client.get(reverse("courses:dashboard")))

    def test_the_placeholder_panel_is_included(self, client, manager, cohort):
        client.force_login(manager)
        response = client.get(cohort_url(cohort))
        assert "courses/cohorts/_manage_panel.html" in [t.name for t in response.templates]
        assert response.context["join_url"].startswith("http")
        assert cohort.invite_code in response.context["join_url"]


class TestStatuses:
    def test_each_member_has_the_right_status(self, client, manager, cohort, mixed):
        client.force_login(manager)
        response = client.get(cohort_url(cohort))
        rows = {row["user__email"]: row for row in response.context["rows"]}
        assert rows["ada@example.org"]["status"] == "not_started"
        assert rows["finn@example.org"]["status"] == "not_started"
        assert rows["ben@example.org"]["status"] == "in_progress"
        assert rows["ben@example.org"]["progress"] == 25
        assert rows["cleo@example.org"]["progress"] == 75
        assert rows["dan@example.org"]["status"] == "completed"
        assert rows["dan@example.org"]["progress"] == 100
        assert rows["dan@example.org"]["certificate_state"] == "valid"
        assert rows["eve@example.org"]["status"] == "overdue"
        text = page_text(response)
        assert "new.person@example.org" in text  # the pending invitation
        assert "Cancel invitation" in text
        assert "3 of 4 lessons" in text

    def test_everyone_not_completed_is_overdue_after_the_cohort_due_date(
        self, client, manager, cohort, mixed
    ):
        cohort.due_on = timezone.localdate() - timedelta(days=1)
        cohort.save()
        client.force_login(manager)
        response = client.get(cohort_url(cohort))
        statuses = {row["user__email"]: row["status"] for row in response.context["rows"]}
        assert statuses.pop("dan@example.org") == "completed"
        assert set(statuses.values()) == {"overdue"}

    def test_the_due_day_itself_is_not_overdue(self, client, manager, cohort, mixed):
        cohort.due_on = timezone.localdate()
        cohort.save()
        client.force_login(manager)
        response = client.get(cohort_url(cohort, status="overdue"))
        assert [row["user__email"] for row in response.context["rows"]] == ["eve@example.org"]

    def test_a_member_who_left_the_course_is_not_started(self, client, manager, cohort, mixed):
        progress.unenrol(Enrolment.objects.get(user=mixed["Ben"]))
        client.force_login(manager)
        response = client.get(cohort_url(cohort, q="ben@"))
        [row] = response.context["rows"]
        assert row["status"] == "not_started"
        assert row["enrolled"] is False
        assert "left the course" in page_text(response)

    def test_recertifying_shows_the_new_cycle(self, client, manager, cohort, course, mixed):
        dan = mixed["Dan"]
        enrolment = enrolment_of(dan, course[0])
        Enrolment.objects.create(
            user=dan, course=course[0], cycle=2, lessons_total=4, cohort=cohort
        )
        assert enrolment.completed_at is not None
        client.force_login(manager)
        response = client.get(cohort_url(cohort, q="dan@"))
        [row] = response.context["rows"]
        assert row["status"] == "not_started"
        assert row["certificate_state"] == "valid"  # the first cycle's certificate

    def test_quizzes_passed_n_of_m(self, client, manager, cohort, course, mixed):
        from quizzes.models import Attempt

        quizzes = [factories.make_quiz(title=f"Quiz {n}") for n in range(2)]
        for lesson, quiz in zip(course[1][:2], quizzes, strict=True):
            lesson.quiz = quiz
            lesson.save_revision().publish()
        for number, (quiz, passed) in enumerate(
            [(quizzes[0], True), (quizzes[0], True), (quizzes[1], False)], start=1
        ):
            Attempt.objects.create(
                user=mixed["Cleo"],
                quiz=quiz,
                number=number,
                status="submitted",
                snapshot=[],
                passed=passed,
                pass_mark=80,
                submitted_at=timezone.now(),
            )
        client.force_login(manager)
        response = client.get(cohort_url(cohort, q="cleo"))
        [row] = response.context["rows"]
        assert (row["quizzes_passed"], row["quizzes_total"]) == (1, 2)
        assert "1 of 2 passed" in page_text(response)

    def test_a_pass_from_an_earlier_cycle_does_not_count(
        self, client, manager, cohort, course, mixed
    ):
        from quizzes.models import Attempt

        quiz = factories.make_quiz(title="Quiz once")
        lesson = course[1][0]
        lesson.quiz = quiz
        lesson.save_revision().publish()
        cleo = mixed["Cleo"]
        enrolment = Enrolment.objects.get(user=cleo)
        Attempt.objects.create(
            user=cleo,
            quiz=quiz,
            number=1,
            status="submitted",
            snapshot=[],
            passed=True,
            pass_mark=80,
            submitted_at=enrolment.enrolled_at - timedelta(days=400),
        )
        Attempt.objects.filter(user=cleo).update(
            started_at=enrolment.enrolled_at - timedelta(days=400)
        )
        client.force_login(manager)
        response = client.get(cohort_url(cohort, q="cleo"))
        [row] = response.context["rows"]
        assert (row["quizzes_passed"], row["quizzes_total"]) == (0, 1)
        Attempt.objects.filter(user=cleo).update(started_at=timezone.now())
        [row] = client.get(cohort_url(cohort, q="cleo")).context["rows"]
        assert row["quizzes_passed"] == 1


class TestSummary:
    def test_figures_for_a_large_enough_cohort(self, client, manager, cohort, mixed):
        client.force_login(manager)
        summary = client.get(cohort_url(cohort)).context["summary"]
        assert summary.members == 6
        assert not summary.suppressed
        assert summary.counts == {
            reports.NOT_STARTED: 2,
            reports.IN_PROGRESS: 2,
            reports.COMPLETED: 1,
            reports.OVERDUE: 1,
            reports.INVITED: 1,
        }
        assert summary.certificates == 1
        figures = {str(f.label): (f.value, f.percent) for f in summary.figures}
        assert figures["Completed (this cycle)"] == (1, 17)
        assert figures["Holding a valid certificate"] == (1, 17)

    def test_figures_are_suppressed_below_the_minimum_group_size(
        self, client, manager, cohort, make_user
    ):
        add_members(cohort, make_user, 4)
        client.force_login(manager)
        response = client.get(cohort_url(cohort))
        summary = response.context["summary"]
        assert summary.suppressed
        assert all(figure.value is None for figure in summary.figures)
        text = page_text(response)
        assert "fewer than 5" in text
        assert "counts and percentages are shown only for cohorts of 5 members or more" in text
        # The table of named members is still there for the manager.
        assert len(response.context["rows"]) == 4
        home = page_text(client.get(reverse("courses:manage")))
        assert "fewer than 5" in home

    @override_settings(LANTERN_COHORT_MIN_GROUP_SIZE=3)
    def test_the_minimum_is_a_setting(self, client, manager, cohort, make_user):
        add_members(cohort, make_user, 4)
        client.force_login(manager)
        summary = client.get(cohort_url(cohort)).context["summary"]
        assert not summary.suppressed
        assert summary.members == 4


class TestFiltersAndSorting:
    def emails(self, client, cohort, **params):
        response = client.get(cohort_url(cohort, **params))
        assert response.status_code == 200
        return [row["user__email"] for row in response.context["rows"]]

    def test_status_filter(self, client, manager, cohort, mixed):
        client.force_login(manager)
        assert self.emails(client, cohort, status="completed") == ["dan@example.org"]
        assert self.emails(client, cohort, status="in_progress") == [
            "ben@example.org",
            "cleo@example.org",
        ]
        assert self.emails(client, cohort, status="overdue") == ["eve@example.org"]
        response = client.get(cohort_url(cohort, status="invited"))
        assert response.context["rows"] == []
        assert "new.person@example.org" in page_text(response)
        response = client.get(cohort_url(cohort, status="completed"))
        assert "new.person@example.org" not in page_text(response)

    def test_search_by_name_or_email(self, client, manager, cohort, mixed):
        client.force_login(manager)
        assert self.emails(client, cohort, q="novak") == ["ben@example.org"]
        assert self.emails(client, cohort, q="Cleo Diaz") == ["cleo@example.org"]
        assert self.emails(client, cohort, q="EVE@EXAMPLE") == ["eve@example.org"]
        assert self.emails(client, cohort, q="nobody-like-this") == []

    def test_sorting(self, client, manager, cohort, mixed):
        client.force_login(manager)
        assert self.emails(client, cohort)[:2] == ["ada@example.org", "ben@example.org"]
        assert self.emails(client, cohort, sort="-name")[0] == "finn@example.org"
        assert self.emails(client, cohort, sort="-email")[0] == "finn@example.org"
        by_progress = self.emails(client, cohort, sort="-progress")
        assert by_progress[:3] == ["dan@example.org", "cleo@example.org", "ben@example.org"]
        assert self.emails(client, cohort, sort="status")[0] == "eve@example.org"  # overdue
        assert self.emails(client, cohort, sort="-status")[0] == "dan@example.org"
        by_activity = self.emails(client, cohort, sort="-activity")
        assert set(by_activity[:3]) == {"ben@example.org", "cleo@example.org", "dan@example.org"}
        # No activity yet: last, whichever the direction.
        no_activity = {"ada@example.org", "eve@example.org", "finn@example.org"}
        assert set(by_activity[-3:]) == no_activity
        assert set(self.emails(client, cohort, sort="activity")[-3:]) == no_activity

    def test_sorted_column_is_marked_for_screen_readers(self, client, manager, cohort, mixed):
        client.force_login(manager)
        text = page_text(client.get(cohort_url(cohort, sort="-progress")))
        assert 'aria-sort="descending"' in text
        assert "<caption" in text
        assert 'scope="col"' in text
        assert 'scope="row"' in text
        assert '<label for="filter-status">' in text

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "bogus"},
            {"sort": "user__password"},
            {"sort": "-"},
            {"sort": "name; DROP TABLE users_user"},
            {"page": "abc"},
            {"page": "99999"},
            {"page": "-1"},
            {"ipage": "x"},
            {"course": "abc"},
            {"course": "99999999"},
            {"course": "-3"},
            {"course": "\u00b2"},  # a digit to str.isdigit(), not to int()
            {"q": "x" * 5000},
            {"q": "nul\x00byte"},
            {"q": "%_\\"},
        ],
    )
    def test_bad_parameters_are_ignored(self, client, manager, cohort, mixed, params):
        client.force_login(manager)
        response = client.get(cohort_url(cohort, **params))
        assert response.status_code == 200

    def test_pages_of_fifty(self, client, manager, cohort, make_user):
        add_members(cohort, make_user, 55)
        client.force_login(manager)
        first = client.get(cohort_url(cohort))
        assert len(first.context["rows"]) == 50
        second = client.get(cohort_url(cohort, page=2))
        assert len(second.context["rows"]) == 5
        assert "Page 2 of 2" in page_text(second)
        emails = [r["user__email"] for r in first.context["rows"] + second.context["rows"]]
        assert len(set(emails)) == 55

    def test_course_selector_defaults_to_the_first_course_by_title(
        self, client, manager, cohort, course, course_index, make_user
    ):
        second, lessons = factories.make_course(course_index, slug="another", title="Another")
        cohort.courses.add(second)
        [member] = add_members(cohort, make_user, 1)
        complete(member, (second, lessons), 1)
        client.force_login(manager)
        response = client.get(cohort_url(cohort))
        assert response.context["course"].pk == second.pk  # "Another" < "Test course"
        assert response.context["rows"][0]["progress"] == 25
        response = client.get(cohort_url(cohort, course=course[0].pk))
        assert response.context["course"].pk == course[0].pk
        assert response.context["rows"][0]["progress"] == 0
        assert '<label for="course-choice">' in page_text(response)


class TestRemoveButtons:
    def test_managers_get_remove_buttons(self, client, manager, cohort, mixed):
        client.force_login(manager)
        text = page_text(client.get(cohort_url(cohort)))
        remove = reverse("courses:cohort_member_remove", args=[cohort.public_id, mixed["Ada"].pk])
        assert f'href="{remove}"' in text

    def test_viewers_do_not(self, client, make_user, cohort, mixed):
        staff = make_user("viewer@example.org", is_staff=True)
        grant(staff, "view_cohort")
        client.force_login(staff)
        text = page_text(client.get(cohort_url(cohort)))
        assert "/remove/" not in text
        assert "Cancel invitation" not in text


class TestQueryCounts:
    @pytest.mark.parametrize("members", [5, 60])
    def test_cohort_page_is_constant(
        self, client, manager, cohort, course, make_user, members, django_assert_max_num_queries
    ):
        users = add_members(cohort, make_user, members)
        complete(users[0], course, 2)
        cohorts.add_people(cohort, [("pending@example.org", "")])
        client.force_login(manager)
        client.get(cohort_url(cohort))
        # 14 for the report (its summary figures cached), 1 for the verified-address check,
        # 2 for "declined or left" (see test_cohort_page_cache.py).
        with django_assert_max_num_queries(17 + JIT_OFF):
            response = client.get(cohort_url(cohort, sort="-progress", status="not_started"))
        assert response.status_code == 200
        # 14 for the report (its summary figures cached), 1 for the verified-address check,
        # 2 for "declined or left" (see test_cohort_page_cache.py).
        with django_assert_max_num_queries(17 + JIT_OFF):
            response = client.get(cohort_url(cohort, q="person", sort="activity"))
        assert len(response.context["rows"]) == min(members, 50)

    @pytest.mark.parametrize("count", [1, 4])
    def test_manage_home_is_constant(
        self,
        client,
        manager,
        organisation,
        course,
        make_user,
        count,
        django_assert_max_num_queries,
    ):
        for n in range(count):
            cohort = factories.make_cohort(course[0], organisation=organisation, name=f"C{n}")
            add_members(cohort, make_user, 6, prefix=f"c{n}-")
        client.force_login(manager)
        client.get(reverse("courses:manage"))
        with django_assert_max_num_queries(12 + JIT_OFF):
            response = client.get(reverse("courses:manage"))
        assert page_text(response).count("/manage/cohorts/") == count


def test_report_queries_run_without_jit(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT compilation is PostgreSQL's.")
    with reports.without_jit(), connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


class TestManageHome:
    def test_cohort_figures(self, client, manager, cohort, mixed, course, make_user):
        client.force_login(manager)
        response = client.get(reverse("courses:manage"))
        [organisation] = response.context["organisations"]
        [listed] = organisation.cohort_list
        assert listed.members == 6
        assert listed.completed_percent == 17  # 1 of 6
        assert listed.overdue == 1
        text = page_text(response)
        assert course[0].title in text
        assert "30 Jun 2030" in text

    def test_several_courses_count_completion_of_every_course(
        self,
        client,
        manager,
        cohort,
        course,
        course_index,
        make_user,
        django_capture_on_commit_callbacks,
    ):
        second, lessons = factories.make_course(course_index, slug="second", title="Second")
        cohort.courses.add(second)
        users = add_members(cohort, make_user, 5)
        complete(users[0], course, 4)
        complete(users[0], (second, lessons), 4)
        complete(users[1], course, 4)
        Enrolment.objects.filter(user=users[2], course=second).update(
            due_at=timezone.now() - timedelta(days=1)
        )
        client.force_login(manager)
        [organisation] = client.get(reverse("courses:manage")).context["organisations"]
        [listed] = organisation.cohort_list
        assert listed.members == 5
        assert listed.completed_percent == 20
        assert listed.overdue == 1


class TestReminders:
    @pytest.fixture
    def late(self, cohort, mixed):
        cohort.due_on = timezone.localdate() - timedelta(days=3)
        cohort.save()
        return cohort

    def remind(self, client, cohort, capture):
        with capture(execute=True):
            return client.post(
                reverse("courses:cohort_remind", args=[cohort.public_id]), follow=True
            )

    def test_overdue_members_are_reminded_once_a_day(
        self, client, manager, late, mixed, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        response = self.remind(client, late, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        recipients = sorted(message.to[0] for message in mail.outbox)
        assert recipients == [
            "ada@example.org",
            "ben@example.org",
            "cleo@example.org",
            "eve@example.org",
            "finn@example.org",
        ]
        text = page_text(response)
        assert "Reminders are on their way to 5 overdue members." in text
        message = mail.outbox[0]
        assert "Test course" in message.body
        assert "/learning/" in message.body
        assert message.subject == "A reminder about your training for Northbridge Trust & Safety"
        for word in ("failed", "late", "warning"):
            assert word not in message.body.lower()

        mail.outbox.clear()
        response = self.remind(client, late, django_capture_on_commit_callbacks)
        assert mail.outbox == []
        assert "5 overdue members were skipped: they were already reminded today." in page_text(
            response
        )

        # Tomorrow they may be reminded again.
        yesterday = timezone.now() - timedelta(days=1)
        CohortMembership.objects.filter(cohort=late).update(last_reminded_at=yesterday)
        self.remind(client, late, django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 5

    def test_a_member_who_completes_meanwhile_is_not_emailed(
        self, client, manager, cohort, mixed, django_capture_on_commit_callbacks
    ):
        client.force_login(manager)
        self.remind(client, cohort, django_capture_on_commit_callbacks)
        assert [message.to for message in mail.outbox] == [["eve@example.org"]]

    def test_nobody_overdue(
        self, client, manager, cohort, make_user, django_capture_on_commit_callbacks
    ):
        add_members(cohort, make_user, 2)
        client.force_login(manager)
        response = self.remind(client, cohort, django_capture_on_commit_callbacks)
        assert "Nobody in this cohort is overdue" in page_text(response)
        assert mail.outbox == []

    def test_get_only_asks_for_confirmation(self, client, manager, late):
        client.force_login(manager)
        response = client.get(reverse("courses:cohort_remind", args=[late.public_id]))
        assert response.status_code == 200
        assert "Remind overdue members?" in page_text(response)
        assert not CohortMembership.objects.filter(last_reminded_at__isnull=False).exists()

    def test_staff_without_the_change_permission_cannot_remind(
        self, client, make_user, late, django_capture_on_commit_callbacks
    ):
        staff = make_user("viewer@example.org", is_staff=True)
        grant(staff, "view_cohort")
        client.force_login(staff)
        url = reverse("courses:cohort_remind", args=[late.public_id])
        assert client.post(url).status_code == 403
        grant(staff, "change_cohort")
        staff = type(staff).objects.get(pk=staff.pk)  # no cached permissions
        client.force_login(staff)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
        assert len(mail.outbox) == 5

    def test_csrf_is_required(self, manager, late):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)
        response = client.post(reverse("courses:cohort_remind", args=[late.public_id]))
        assert response.status_code == 403
        assert not CohortMembership.objects.filter(last_reminded_at__isnull=False).exists()

    def test_the_claim_is_a_conditional_update(self, cohort, mixed):
        """Two reminders racing: the second UPDATE finds every member already claimed."""
        late = cohort
        late.due_on = timezone.localdate() - timedelta(days=3)
        late.save()
        now = timezone.now()
        overdue = reports.overdue_memberships(late, list(late.courses.all()), now)
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        from django.db.models import Q

        claim = Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start)
        assert overdue.filter(claim).update(last_reminded_at=now) == 5
        assert overdue.filter(claim).update(last_reminded_at=now) == 0
