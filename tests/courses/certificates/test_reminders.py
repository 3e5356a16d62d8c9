"""Expiry reminders: one email per certificate, to active holders who have not moved on."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.certificates import tasks
from courses.certificates.tasks import send_certificate_expiry_reminders
from courses.delivery import services as delivery
from courses.learning import services as progress
from courses.models import Certificate, Enrolment

pytestmark = pytest.mark.django_db


def expire_in(certificate, days):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() + timedelta(days=days)
    )
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def certificate(course, learner, django_capture_on_commit_callbacks):
    """The learner's certificate, issued by completing the course for real."""
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons:
            progress.complete_lesson(enrolment, lesson)
    assert len(mail.outbox) == 1  # the completion email, not a reminder
    mail.outbox.clear()
    return Certificate.objects.get(user=learner)


@pytest.fixture
def make_certificate(course):
    """A certificate issued directly for another holder (a completed cycle of the course)."""

    def make(user, expires_in_days, cycle=1, **fields):
        now = timezone.now()
        enrolment = Enrolment.objects.create(
            user=user, course=course[0], cycle=cycle, completed_at=now - timedelta(days=700)
        )
        return Certificate.objects.create(
            enrolment=enrolment,
            user=user,
            course=course[0],
            course_title=course[0].title,
            name_on_certificate=user.certificate_name or "Alex Holder",
            issued_at=now - timedelta(days=700),
            expires_at=now + timedelta(days=expires_in_days),
            **fields,
        )

    return make


def run():
    return send_certificate_expiry_reminders.enqueue().return_value


class TestWhoIsReminded:
    def test_one_reminder_thirty_days_before_and_never_twice(self, certificate, learner):
        expire_in(certificate, 30)
        assert run() == 1
        assert [m.to for m in mail.outbox] == [[learner.email]]
        certificate.refresh_from_db()
        assert certificate.reminded_at is not None
        assert run() == 0
        assert len(mail.outbox) == 1

    def test_not_yet_when_expiry_is_further_away(self, certificate):
        expire_in(certificate, 31)
        assert run() == 0
        expire_in(certificate, 400)
        assert run() == 0 and mail.outbox == []

    def test_the_window_follows_the_setting(self, certificate, settings):
        settings.LANTERN_CERTIFICATE_REMINDER_DAYS = 10
        expire_in(certificate, 20)
        assert run() == 0
        expire_in(certificate, 9)
        assert run() == 1

    def test_revoked_and_expired_certificates_get_none(
        self, certificate, make_user, make_certificate
    ):
        expire_in(certificate, 5)
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        make_certificate(make_user("expired@example.org"), expires_in_days=-1)
        make_certificate(make_user("lapsed@example.org"), expires_in_days=-200)
        assert run() == 0 and mail.outbox == []

    def test_deleted_and_deactivated_accounts_get_none(
        self, certificate, learner, make_user, make_certificate
    ):
        expire_in(certificate, 10)
        learner.delete()
        certificate.refresh_from_db()
        assert certificate.user is None
        make_certificate(make_user("left@example.org", is_active=False), expires_in_days=10)
        assert run() == 0 and mail.outbox == []

    def test_superseded_by_a_newer_certificate(self, learner, make_certificate):
        old = make_certificate(learner, expires_in_days=10, cycle=1)
        newer = make_certificate(learner, expires_in_days=700, cycle=2)
        Certificate.objects.filter(pk=newer.pk).update(issued_at=timezone.now())
        assert run() == 0
        old.refresh_from_db()
        assert old.reminded_at is None

    def test_superseded_by_a_renewal_in_progress(self, certificate, learner, course):
        expire_in(certificate, 20)
        assert progress.recertify(learner, course[0]) is not None
        assert run() == 0 and mail.outbox == []

    def test_a_renewal_left_unfinished_does_not_silence_the_reminder(
        self, certificate, learner, course
    ):
        expire_in(certificate, 20)
        progress.unenrol(progress.recertify(learner, course[0]))
        assert run() == 1

    def test_only_the_holder_is_emailed_with_their_own_certificate(
        self, certificate, learner, make_user, make_certificate
    ):
        expire_in(certificate, 15)
        other = make_certificate(make_user("other@example.org"), expires_in_days=25)
        assert run() == 2
        by_recipient = {m.to[0]: m for m in mail.outbox}
        assert set(by_recipient) == {"learner@example.org", "other@example.org"}
        assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
        body = by_recipient["learner@example.org"].body
        assert "other@example.org" not in body
        assert other.display_code not in body


class TestReminderEmail:
    def test_content_is_plain_with_the_renew_link(self, certificate, settings):
        settings.WAGTAILADMIN_BASE_URL = "https://lantern.example.org"
        expire_in(certificate, 30)
        run()
        (message,) = mail.outbox
        renew_url = "https://lantern.example.org" + reverse("courses:dashboard")
        assert renew_url in message.body
        assert "Test course" in message.body
        assert timezone.localtime(certificate.expires_at).strftime("%B %Y") in message.body
        assert "\n" not in message.subject and "Test course" not in message.subject
        # Nothing personal beyond what the holder already knows about their own certificate.
        for personal in ("learner@example.org", "Lena", "Novak", certificate.code):
            assert personal not in message.body
        assert "<" not in message.body and "&quot;" not in message.body


class TestOverlapAndFailure:
    def test_overlapping_runs_send_once(self, certificate, monkeypatch):
        """A second run that starts while the first is between reading and claiming."""
        expire_in(certificate, 20)
        real_render = tasks.render_to_string
        overlapped = {}

        def render_and_overlap(*args, **kwargs):
            if "sent" not in overlapped:
                overlapped["sent"] = None
                overlapped["sent"] = send_certificate_expiry_reminders.call()
            return real_render(*args, **kwargs)

        monkeypatch.setattr(tasks, "render_to_string", render_and_overlap)
        first = send_certificate_expiry_reminders.call()
        assert overlapped["sent"] == 1 and first == 0
        assert len(mail.outbox) == 1

    def test_a_failed_send_is_retried_later(self, certificate, smtp_server):
        expire_in(certificate, 20)
        smtp_server.stop()
        assert send_certificate_expiry_reminders.call() == 0
        certificate.refresh_from_db()
        assert certificate.reminded_at is None
        smtp_server.start()
        assert run() == 0  # queued once: a second run waits for the retry
        assert delivery.deliver_due(now=timezone.now() + timedelta(minutes=2)) == 1
        certificate.refresh_from_db()
        assert certificate.reminded_at is not None
        assert len(smtp_server.messages) == 1


class TestCommand:
    def test_the_command_sends_and_reports_how_many(self, certificate):
        expire_in(certificate, 30)
        out = StringIO()
        call_command("send_certificate_reminders", stdout=out)
        assert "Sent 1 certificate expiry reminder" in out.getvalue()
        assert len(mail.outbox) == 1
        out = StringIO()
        call_command("send_certificate_reminders", "--now", stdout=out)
        assert "Sent 0 certificate expiry reminder" in out.getvalue()
        assert len(mail.outbox) == 1
