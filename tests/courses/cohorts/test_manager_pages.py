"""The manager's cohort pages: relative due dates, a summary whose figures agree, confirmation
pages that preview the email, member pages shown only with consent, paging and the CSV order."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import audit
from courses.cohorts import reports
from courses.cohorts import services as cohorts
from courses.learning import services as progress
from courses.models import Certificate, Cohort, CohortInvitation, CohortMembership, Enrolment
from quizzes.models import Attempt
from tests import factories


def url(name, cohort, *args):
    return reverse(f"courses:{name}", args=[cohort.public_id, *args])


def text(response):
    return response.content.decode()


def end_of(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def pass_quiz(user, quiz, number=1, passed=True, percent=100.0):
    """A submitted attempt, started now (in the member's current cycle)."""
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=number,
        status="submitted",
        snapshot=[],
        passed=passed,
        percent=percent,
        pass_mark=80,
        submitted_at=timezone.now(),
    )


def complete(user, course, count, capture=None):
    course_page, lessons = course
    enrolment = Enrolment.objects.get(user=user, course=course_page)
    for lesson in lessons[:count]:
        if capture is not None:
            with capture(execute=True):
                progress.complete_lesson(enrolment, lesson)
        else:
            progress.complete_lesson(enrolment, lesson)


@pytest.fixture
def relative(course, organisation):
    """A cohort whose members each have 30 days from joining."""
    return factories.make_cohort(
        course[0], organisation=organisation, name="Rolling intake", due_within_days=30
    )


class TestRelativeDueDates:
    def test_a_cohort_cannot_have_both_kinds_or_a_bad_number(self, course, organisation):
        for fields in (
            {"due_on": timezone.localdate(), "due_within_days": 10},
            {"due_within_days": 0},
            {"due_within_days": 366},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                factories.make_cohort(course[0], organisation=organisation, **fields)

    def test_each_member_is_due_n_days_after_joining(self, client, relative, course, learner):
        cohorts.join(relative, learner)
        enrolment = Enrolment.objects.get(user=learner, course=course[0])
        due = timezone.localdate() + timedelta(days=30)
        assert enrolment.due_at == end_of(due)
        client.force_login(learner)
        page = text(client.get(reverse("courses:dashboard")))
        assert f"Due {due.day} {due:%B %Y}" in page
        assert "Overdue" not in page

    def test_someone_who_joined_long_ago_is_overdue_and_a_new_joiner_is_not(
        self, manager_client, relative, make_user
    ):
        early, new = make_user("early@example.org"), make_user("new@example.org")
        cohorts.join(relative, early)
        CohortMembership.objects.filter(user=early).update(
            joined_at=timezone.now() - timedelta(days=40)
        )
        cohorts.apply_due_dates(relative)
        cohorts.join(relative, new)
        summary = manager_client.get(url("cohort", relative)).context["summary"]
        assert summary.counts[reports.OVERDUE] == 1
        assert summary.counts[reports.NOT_STARTED] == 1

    def test_the_reminder_gives_the_members_own_date(
        self, manager_client, relative, make_user, django_capture_on_commit_callbacks
    ):
        early = make_user("early@example.org", first_name="Eli")
        cohorts.join(relative, early)
        joined = timezone.now() - timedelta(days=40)
        CohortMembership.objects.filter(user=early).update(joined_at=joined)
        cohorts.apply_due_dates(relative)
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(url("cohort_remind", relative))
        [email] = mail.outbox
        due = timezone.localdate(joined) + timedelta(days=30)
        assert f"It was due by {due.day} {due:%B %Y}" in email.body

    def test_the_manager_switches_to_a_relative_date(
        self, manager_client, cohort, learner, small_course
    ):
        cohorts.join(cohort, learner)
        response = manager_client.post(
            url("cohort_due_date", cohort), {"due_kind": "relative", "due_within_days": "14"}
        )
        assert response.status_code == 302
        cohort.refresh_from_db()
        assert (cohort.due_on, cohort.due_within_days) == (None, 14)
        enrolment = Enrolment.objects.get(user=learner, course=small_course)
        assert enrolment.due_at == end_of(timezone.localdate() + timedelta(days=14))
        assert ModelLogEntry.objects.filter(action=audit.DUE_DATE_CHANGED).exists()

    def test_a_past_date_needs_the_confirmation(self, manager_client, cohort):
        past = timezone.localdate() - timedelta(days=3)
        data = {"due_kind": "fixed", "due_on": past.isoformat(), "due_within_days": ""}
        response = manager_client.post(url("cohort_due_date", cohort), data)
        assert response.status_code == 400
        assert "people who join now are overdue at once" in text(response)
        assert Cohort.objects.get(pk=cohort.pk).due_on != past
        response = manager_client.post(
            url("cohort_due_date", cohort), {**data, "confirm_past_due": "on"}
        )
        assert response.status_code == 302
        page = text(manager_client.get(url("cohort", cohort)))
        assert "The due date has passed: people who join now are overdue at once." in page

    @pytest.mark.parametrize("days", ["0", "366", "many"])
    def test_a_bad_number_of_days_is_a_form_error(self, manager_client, cohort, days):
        response = manager_client.post(
            url("cohort_due_date", cohort), {"due_kind": "relative", "due_within_days": days}
        )
        assert response.status_code == 400
        assert Cohort.objects.get(pk=cohort.pk).due_within_days is None

    def test_a_learner_cannot_change_the_due_date(self, client, cohort, learner):
        client.force_login(learner)
        response = client.post(
            url("cohort_due_date", cohort), {"due_kind": "relative", "due_within_days": "5"}
        )
        assert response.status_code == 404


@pytest.fixture
def known(course_cohort, course, make_user, django_capture_on_commit_callbacks):
    """Six members whose figures are known: not started 1, in progress 2, overdue 1,
    completed 2 (one certificate revoked); passed every quiz: one in progress, both
    completers. One pending invitation, one declined."""
    cohort = course_cohort
    course_page, lessons = course
    users = {}
    for name in ("Ana", "Bo", "Cy", "Di", "Ed", "Flo"):
        users[name] = make_user(f"{name.lower()}@example.org", first_name=name, last_name="K")
        cohorts.join(cohort, users[name])
    complete(users["Bo"], course, 1)
    complete(users["Cy"], course, 2)
    complete(users["Di"], course, 4, django_capture_on_commit_callbacks)
    complete(users["Flo"], course, 4, django_capture_on_commit_callbacks)
    complete(users["Ed"], course, 1)
    Enrolment.objects.filter(user=users["Ed"]).update(due_at=timezone.now() - timedelta(days=1))
    Certificate.objects.filter(user=users["Flo"]).update(revoked_at=timezone.now())
    quizzes = [factories.make_quiz(title=f"Quiz {n}") for n in range(2)]
    for lesson, quiz in zip(lessons[:2], quizzes, strict=True):
        lesson.quiz = quiz
        lesson.save_revision().publish()
    for name in ("Bo", "Di", "Flo"):
        for quiz in quizzes:
            pass_quiz(users[name], quiz)
    pass_quiz(users["Cy"], quizzes[0])
    pass_quiz(users["Cy"], quizzes[1], passed=False, percent=40.0)
    cohorts.add_people(cohort, [("pending@example.org", ""), ("no@example.org", "")])
    CohortInvitation.objects.filter(email="no@example.org").update(declined_at=timezone.now())
    return cohort, users, quizzes


class TestSummary:
    def test_every_figure_of_a_known_cohort(self, manager_client, known):
        cohort, _users, _quizzes = known
        response = manager_client.get(url("cohort", cohort))
        summary = response.context["summary"]
        figures = {str(f.label): f.value for f in summary.figures}
        assert summary.members == 6
        assert figures == {
            "Invited, not yet answered": 1,
            "Not started": 1,
            "In progress": 2,
            "Overdue": 1,
            "Completed (this cycle)": 2,
            "Passed every quiz": 3,
            "Holding a valid certificate": 1,
        }
        statuses = ("Not started", "In progress", "Overdue", "Completed (this cycle)")
        assert sum(figures[label] for label in statuses) == summary.members
        page = text(response)
        assert "What these figures mean" in page
        assert "passed each of the course&#x27;s quizzes in their current cycle" in page

    def test_rows_agree_with_the_summary(self, manager_client, known):
        cohort, _users, quizzes = known
        rows = manager_client.get(url("cohort", cohort)).context["rows"]
        assert sum(1 for row in rows if row["quizzes_passed"] == len(quizzes)) == 3


def row_of(page, name):
    """The members table's row whose heading holds `name`, as HTML."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    [row] = [row for row in body.split("<tr>")[1:] if f">{name}</a>" in row]
    return row.split("</tr>", 1)[0]


class TestMembersTable:
    def test_each_row_shows_the_members_state(self, manager_client, known):
        cohort, _users, _quizzes = known
        page = text(manager_client.get(url("cohort", cohort)))
        ana = row_of(page, "Ana K")
        assert "Not started" in ana and "none yet" in ana and "0%" in ana
        assert "0 of 4 lessons" in ana and '<span class="meta">none</span>' in ana
        cy = row_of(page, "Cy K")
        assert "In progress" in cy and "50%" in cy and "2 of 4 lessons" in cy
        assert "1 of 2 passed" in cy
        ed = row_of(page, "Ed K")
        assert "Overdue" in ed and '<span class="meta">due ' in ed
        di = row_of(page, "Di K")
        assert "Completed" in di and "2 of 2 passed" in di and "Valid" in di
        assert "Revoked" in row_of(page, "Flo K")
        remind = url("cohort_member_remind", cohort, known[1]["Ana"].pk)
        assert (
            f'<a href="{remind}">Send reminder<span class="visually-hidden"> to Ana K</span>' in ana
        )

    def test_names_and_addresses_are_shown_as_text(self, manager_client, cohort, make_user):
        person = make_user(
            "<b>x</b>@example.org", first_name='<img src=x onerror="alert(1)">', last_name="Z"
        )
        cohorts.join(cohort, person)
        page = text(manager_client.get(url("cohort", cohort)))
        assert "<img src=x" not in page and "<b>x</b>" not in page
        escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Z"
        row = row_of(page, escaped)
        assert "&lt;b&gt;x&lt;/b&gt;@example.org" in row
        assert f"to {escaped}</span>" in row and f"{escaped} from this cohort" in row

    def test_a_viewer_who_cannot_manage_sees_no_actions(self, client, known, make_user):
        cohort, _users, _quizzes = known
        viewer = make_user("viewer@example.org", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_cohort"))
        client.force_login(viewer)
        page = text(client.get(url("cohort", cohort)))
        assert "Ana K" in page and "Send reminder" not in page


class TestConfirmationPages:
    @pytest.fixture
    def member(self, cohort, make_user):
        person = make_user("sam@example.org", first_name="Sam", last_name="Member")
        cohorts.join(cohort, person)
        return person

    def test_reminder_preview_is_the_email_sent(
        self, manager_client, cohort, member, django_capture_on_commit_callbacks
    ):
        target = url("cohort_member_remind", cohort, member.pk)
        response = manager_client.get(target)
        assert response.status_code == 200
        preview = response.context
        assert CohortMembership.objects.get(user=member).last_reminded_at is None
        assert mail.outbox == []
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(target, follow=True)
        assert "A reminder is on its way to Sam Member." in text(response)
        [email] = mail.outbox
        assert (email.subject, email.body) == (preview["subject"], preview["body"])
        assert email.to == ["sam@example.org"]
        entry = ModelLogEntry.objects.get(action=audit.REMINDERS_SENT)
        assert entry.data["user_id"] == member.pk
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(target, follow=True)
        assert "already reminded today" in text(response)
        assert len(mail.outbox) == 1

    def test_remove_asks_first_and_says_what_they_are_told(self, manager_client, cohort, member):
        target = url("cohort_member_remove", cohort, member.pk)
        page = text(manager_client.get(target))
        assert "What they are told" in page and "No email is sent" in page
        assert CohortMembership.objects.filter(user=member).exists()
        manager_client.post(target)
        assert not CohortMembership.objects.filter(user=member).exists()
        assert ModelLogEntry.objects.filter(action=audit.MEMBER_REMOVED).exists()

    def test_cancel_asks_first_and_is_logged(self, manager_client, cohort):
        invitation = cohorts.add_people(cohort, [("ida@example.org", "Ida")]).invited[0]
        target = url("cohort_invitation_cancel", cohort, invitation.pk)
        assert "No email is sent" in text(manager_client.get(target))
        assert CohortInvitation.objects.filter(pk=invitation.pk).exists()
        assert manager_client.post(target).status_code == 302
        assert not CohortInvitation.objects.filter(pk=invitation.pk).exists()
        entry = ModelLogEntry.objects.get(action=audit.INVITATION_CANCELLED)
        assert entry.data["email"] == "ida@example.org"

    def test_wrong_cohort_or_person_is_404(self, manager_client, cohort, member, small_course):
        other = factories.make_cohort(
            small_course, name="Another", organisation=cohort.organisation
        )
        for name in ("cohort_member_remind", "cohort_member_remove", "cohort_member"):
            assert manager_client.get(url(name, other, member.pk)).status_code == 404
        assert manager_client.get(url("cohort_invitation_cancel", cohort, 999)).status_code == 404

    def test_people_who_do_not_manage_the_cohort_are_refused(
        self, client, cohort, member, make_user
    ):
        from django.contrib.auth.models import Permission

        client.force_login(member)
        assert client.get(url("cohort_member_remind", cohort, member.pk)).status_code == 404
        viewer = make_user("viewer@example.org", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_cohort"))
        client.force_login(viewer)
        assert client.get(url("cohort_member_remind", cohort, member.pk)).status_code == 403
        assert client.post(url("cohort_member_remind", cohort, member.pk)).status_code == 403
        assert client.get(url("cohort_member", cohort, member.pk)).status_code == 200


class TestMemberPage:
    def test_shows_lessons_attempts_and_certificate_of_the_cohorts_courses(
        self, manager_client, known, course_index
    ):
        cohort, users, _quizzes = known
        other_course, _ = factories.make_course(course_index, slug="other", title="Elsewhere")
        progress.enrol(users["Di"], other_course)
        response = manager_client.get(url("cohort_member", cohort, users["Di"].pk))
        page = text(response)
        assert "Lesson 2.2" in page
        assert "Quiz 0" in page and "100%" in page and "Passed" in page
        certificate = Certificate.objects.get(user=users["Di"])
        assert reverse("courses:verify_code", args=[certificate.code]) in page
        assert "Elsewhere" not in page

    def test_declined_and_left_show_only_their_state(
        self, manager_client, cohort, make_user, small_course
    ):
        leaver = make_user("leaver@example.org", first_name="Lee")
        cohorts.join(cohort, leaver)
        progress.complete_lesson(
            Enrolment.objects.get(user=leaver), progress.course_lessons(small_course)[0]
        )
        cohorts.leave_cohort(cohort, leaver)
        page = text(manager_client.get(url("cohort_member", cohort, leaver.pk)))
        assert "Declined or left" in page
        assert "Lesson" not in page and "Time on task" not in page
        decliner = make_user("decliner@example.org")
        cohorts.add_people(cohort, [("decliner@example.org", "")])
        invitation = CohortInvitation.objects.get(email="decliner@example.org")
        cohorts.decline_invitation(decliner, invitation.pk)
        page = text(manager_client.get(url("cohort_member", cohort, decliner.pk)))
        assert "Declined or left" in page and "Time on task" not in page
        stranger = make_user("stranger@example.org")
        assert manager_client.get(url("cohort_member", cohort, stranger.pk)).status_code == 404

    def test_query_count_does_not_grow_with_lessons_or_attempts(
        self, manager_client, known, course
    ):
        cohort, users, quizzes = known
        target = url("cohort_member", cohort, users["Di"].pk)
        manager_client.get(target)
        with CaptureQueriesContext(transaction.get_connection()) as few:
            manager_client.get(target)
        for number in range(2, 8):
            pass_quiz(users["Di"], quizzes[0], number=number)
        with CaptureQueriesContext(transaction.get_connection()) as many:
            response = manager_client.get(target)
        assert len(response.context["courses"][0].attempts) == 8
        assert len(many) == len(few)


class TestPagingAndExport:
    @pytest.fixture
    def crowd(self, course_cohort, make_user):
        users = [
            make_user(f"p{n:03d}@example.org", first_name=f"P{(n * 37) % 120:03d}", last_name="X")
            for n in range(120)
        ]
        for user in users:
            cohorts.join(course_cohort, user)
        return course_cohort

    def test_the_table_comes_first_and_is_paged(self, manager_client, crowd):
        response = manager_client.get(url("cohort", crowd), {"sort": "-name", "page": "2"})
        page = text(response)
        assert "Page 2 of 3" in page
        assert "sort=-name" in page.split("Next page")[0].rsplit("href=", 1)[1]
        assert len(response.context["rows"]) == 50
        assert page.index('id="members-title"') < page.index('id="cohort-panel-title"')

    @pytest.mark.parametrize("params", [{}, {"sort": "-name"}, {"sort": "progress"}])
    def test_the_csv_is_in_the_screens_order(self, manager_client, crowd, params):
        on_screen = []
        for number in (1, 2, 3):
            rows = manager_client.get(url("cohort", crowd), {**params, "page": number})
            on_screen += [row["user__email"] for row in rows.context["rows"]]
        response = manager_client.get(url("cohort_export", crowd), params)
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        exported = [row[1] for row in csv.reader(io.StringIO(content))][1:]
        assert exported == on_screen
        assert len(exported) == 120
