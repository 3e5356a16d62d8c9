"""The email outbox against a real SMTP server on loopback: nothing is lost while the mail
server is down, nothing is sent twice, a killed worker's emails are picked up again, and a
manager sees an undelivered invitation and can send it again."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import audit
from courses.cohorts import services as cohorts
from courses.cohorts.tasks import queue_invitation_emails
from courses.delivery import services as delivery
from courses.learning.tasks import send_course_completed_email
from courses.models import (
    CohortInvitation,
    CohortMembership,
    DeliveryStatus,
    Enrolment,
    OutboundEmail,
)
from tests import factories

pytestmark = pytest.mark.django_db

PEOPLE = [("ana@example.org", "Ana"), ("ben@example.org", "Ben"), ("cy@example.org", "Cy")]


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def invite(cohort, capture, people=PEOPLE):
    with capture(execute=True):
        return cohorts.add_people(cohort, people)


def cohort_page(client, cohort):
    return client.get(reverse("courses:cohort", args=[cohort.public_id])).content.decode()


@pytest.fixture
def slow_smtp_server(settings):
    """A real SMTP server that takes 0.6 s over each message."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer(delay=0.6)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def down(smtp_server):
    """The mail server is down (nothing listens on its port) until `smtp_server.start()`."""
    smtp_server.stop()
    return smtp_server


class TestMailServerDown:
    def test_invitations_wait_and_the_manager_sees_it(
        self, down, cohort, manager_client, django_capture_on_commit_callbacks
    ):
        invite(cohort, django_capture_on_commit_callbacks)
        assert CohortInvitation.objects.filter(sent_at__isnull=False).count() == 0
        rows = list(OutboundEmail.objects.all())
        assert len(rows) == 3
        for row in rows:
            assert row.status == DeliveryStatus.PENDING
            assert row.attempts == 1
            assert row.next_attempt_at > timezone.now()
            assert row.last_error.startswith("ConnectionRefusedError")
        page = cohort_page(manager_client, cohort)
        assert page.count("Email not delivered") == 3
        assert "Resend" in page

    def test_once_it_is_back_each_email_goes_exactly_once(
        self, down, cohort, manager_client, django_capture_on_commit_callbacks
    ):
        invite(cohort, django_capture_on_commit_callbacks)
        down.start()
        assert delivery.deliver_due() == 0  # still inside the backoff: not tried yet
        assert down.messages == []
        assert delivery.deliver_due(now=later(2)) == 3
        assert delivery.deliver_due(now=later(60)) == 0
        ids = down.message_ids()
        assert len(ids) == 3 and len(set(ids)) == 3
        assert down.recipients() == sorted(email for email, _name in PEOPLE)
        assert down.connections == 1  # one connection for the batch
        assert CohortInvitation.objects.filter(sent_at__isnull=True).count() == 0
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
        page = cohort_page(manager_client, cohort)
        assert "Email not delivered" not in page and "email not sent yet" not in page

    def test_the_delay_grows_and_then_it_gives_up(self, down, cohort, settings):
        settings.LANTERN_OUTBOX_MAX_ATTEMPTS = 3
        row, _created = delivery.queue("test:1", "a@example.org", "Subject", "Body")
        waits = []
        now = timezone.now()
        for _attempt in range(3):
            now += timedelta(hours=2)
            delivery.deliver_due(now=now)
            row.refresh_from_db()
            waits.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
        assert waits[:2] == [1, 2]
        assert row.status == DeliveryStatus.FAILED and row.attempts == 3
        assert delivery.deliver_due(now=later(600)) == 0  # no longer tried by itself
        down.start()
        assert delivery.retry(row)
        assert delivery.deliver_due() == 1 and len(down.messages) == 1


class TestNeverTwice:
    def test_a_killed_workers_lease_expires_and_the_email_goes_once(self, smtp_server):
        stale, _ = delivery.queue("test:stale", "stale@example.org", "Subject", "Body")
        live, _ = delivery.queue("test:live", "live@example.org", "Subject", "Body")
        sent, _ = delivery.queue("test:sent", "sent@example.org", "Subject", "Body")
        OutboundEmail.objects.filter(pk=stale.pk).update(
            status=DeliveryStatus.SENDING, attempts=1, claimed_until=later(-1)
        )
        OutboundEmail.objects.filter(pk=live.pk).update(
            status=DeliveryStatus.SENDING, attempts=1, claimed_until=later(5)
        )
        OutboundEmail.objects.filter(pk=sent.pk).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now()
        )
        assert delivery.deliver_due() == 1
        assert smtp_server.recipients() == ["stale@example.org"]
        assert delivery.deliver_due() == 0
        # Past the live lease, that email is picked up too; the sent one never is.
        assert delivery.deliver_due(now=later(11)) == 1
        assert smtp_server.recipients() == ["live@example.org", "stale@example.org"]
        assert delivery.deliver_due(now=later(600)) == 0
        assert len(smtp_server.messages) == 2

    def test_the_lease_is_configurable(self, settings):
        settings.LANTERN_OUTBOX_LEASE_SECONDS = 30
        delivery.queue("test:lease", "lease@example.org", "Subject", "Body")
        now = timezone.now()
        [row] = delivery.claim(now=now)
        assert row.claimed_until == now + timedelta(seconds=30)
        assert delivery.claim(now=now + timedelta(seconds=29)) == []  # still held
        [again] = delivery.claim(now=now + timedelta(seconds=31))  # its worker died
        assert again.pk == row.pk and again.attempts == 2

    def test_a_worker_stops_before_its_lease_runs_out_and_gives_back_the_rest(
        self, slow_smtp_server, settings
    ):
        """Past its lease another worker may take its emails: a slow worker stops in time, so
        the two never send the same email."""
        settings.LANTERN_OUTBOX_LEASE_SECONDS = 2  # about three messages at 0.6 s each
        keys = [f"test:slow:{n}" for n in range(5)]
        for key in keys:
            delivery.queue(key, f"{key.rpartition(':')[2]}@example.org", "Subject", "Body")
        first = delivery.deliver_due()
        assert 1 <= first < 5
        given_back = OutboundEmail.objects.exclude(status=DeliveryStatus.SENT)
        assert given_back.count() == 5 - first
        for row in given_back:
            assert row.status == DeliveryStatus.PENDING and row.claimed_until is None
            assert row.attempts == 0 and row.next_attempt_at <= timezone.now()
        for _run in range(3):
            delivery.deliver_due()
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
        ids = slow_smtp_server.message_ids()
        assert sorted(ids) == sorted(delivery.message_id(key) for key in keys)  # each once

    def test_the_message_id_comes_from_the_key(self, smtp_server):
        delivery.queue("invitation:12:1700000000", "a@example.org", "Subject", "Body")
        delivery.deliver_due()
        [message] = smtp_server.messages
        assert message["Message-ID"] == delivery.message_id("invitation:12:1700000000")
        assert message["Message-ID"].startswith("<lantern.invitation.12.1700000000@")

    def test_queuing_twice_makes_one_email(
        self, smtp_server, cohort, django_capture_on_commit_callbacks
    ):
        result = invite(cohort, django_capture_on_commit_callbacks, PEOPLE[:1])
        with django_capture_on_commit_callbacks(execute=True):
            queue_invitation_emails(result.invited)  # a retried task
            queue_invitation_emails(result.invited, rearm=True)  # a second click
        assert OutboundEmail.objects.count() == 1
        assert len(smtp_server.messages) == 1

    def test_a_completion_email_queued_twice_goes_once(self, smtp_server, learner, course):
        course_page, _lessons = course
        enrolment = Enrolment.objects.create(
            user=learner, course=course_page, completed_at=timezone.now()
        )
        assert send_course_completed_email.call(enrolment.pk) is True
        assert send_course_completed_email.call(enrolment.pk) is False
        enrolment.refresh_from_db()
        assert enrolment.completion_emailed_at is not None
        assert len(smtp_server.messages) == 1

    def test_the_command_delivers_what_is_due(self, smtp_server):
        delivery.queue("test:cron", "cron@example.org", "Subject", "Body")
        call_command("deliver_outbox", stdout=(out := __import__("io").StringIO()))
        assert "Sent 1 email(s); 0 waiting, 0 not delivered." in out.getvalue()
        assert smtp_server.recipients() == ["cron@example.org"]


class TestOverdueReminders:
    @pytest.fixture
    def overdue(self, cohort, make_user):
        cohort.due_on = timezone.localdate() - timedelta(days=3)
        cohort.save()
        person = make_user("late@example.org", first_name="Lee")
        cohorts.join(cohort, person)
        return person

    def remind(self, client, cohort, capture):
        with capture(execute=True):
            return client.post(
                reverse("courses:cohort_remind", args=[cohort.public_id]), follow=True
            )

    def test_not_marked_reminded_when_sending_failed_and_remindable_again(
        self, down, cohort, overdue, manager_client, django_capture_on_commit_callbacks
    ):
        self.remind(manager_client, cohort, django_capture_on_commit_callbacks)
        membership = CohortMembership.objects.get(user=overdue)
        assert membership.last_reminded_at is None
        confirm = manager_client.get(
            reverse("courses:cohort_member_remind", args=[cohort.public_id, overdue.pk])
        )
        assert confirm.context["recipients"] == 1  # still remindable today
        down.start()
        response = self.remind(manager_client, cohort, django_capture_on_commit_callbacks)
        assert "A reminder is on its way to 1 overdue member." in response.content.decode()
        assert OutboundEmail.objects.count() == 1  # the same reminder, tried afresh
        assert down.recipients() == ["late@example.org"]
        membership.refresh_from_db()
        assert membership.last_reminded_at is not None
        response = self.remind(manager_client, cohort, django_capture_on_commit_callbacks)
        assert "already reminded today" in response.content.decode()
        assert len(down.messages) == 1


class TestResendInvitation:
    def url(self, cohort, invitation):
        return reverse("courses:cohort_invitation_resend", args=[cohort.public_id, invitation.pk])

    def test_the_manager_resends_once_the_server_is_back(
        self, down, cohort, manager, manager_client, django_capture_on_commit_callbacks
    ):
        invite(cohort, django_capture_on_commit_callbacks, PEOPLE[:1])
        invitation = CohortInvitation.objects.get()
        down.start()
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(self.url(cohort, invitation), follow=True)
        assert "is on its way again" in response.content.decode()
        assert down.recipients() == ["ana@example.org"]
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
        entry = ModelLogEntry.objects.get(action=audit.INVITATION_RESENT)
        assert entry.user_id == manager.pk and entry.data["email"] == "ana@example.org"
        # Sent now: a second resend finds nothing to send.
        assert manager_client.post(self.url(cohort, invitation)).status_code == 404
        assert len(down.messages) == 1

    def test_the_form_on_the_cohort_page_resends_with_its_csrf_token(
        self, down, cohort, manager, django_capture_on_commit_callbacks
    ):
        """As a browser does it: the page's own form, with CSRF checks on."""
        from bs4 import BeautifulSoup
        from django.test import Client

        invite(cohort, django_capture_on_commit_callbacks, PEOPLE[:1])
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(manager)
        document = BeautifulSoup(cohort_page(browser, cohort), "html.parser")
        [form] = document.select("form[action$='/resend/']")
        assert form["action"] == self.url(cohort, CohortInvitation.objects.get())
        assert form.get_text(" ", strip=True) == "Resend the invitation email to ana@example.org"
        token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]
        down.start()
        assert browser.post(form["action"]).status_code == 403  # without the token
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(form["action"], {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert down.recipients() == ["ana@example.org"]

    def test_permissions(
        self, down, cohort, make_user, client, manager_client, django_capture_on_commit_callbacks
    ):
        invite(cohort, django_capture_on_commit_callbacks, PEOPLE[:1])
        invitation = CohortInvitation.objects.get()
        url = self.url(cohort, invitation)
        assert manager_client.get(url).status_code == 405
        other = make_user("other.manager@example.org")
        factories.make_organisation("Elsewhere", managers=[other])
        client.force_login(other)
        assert client.post(url).status_code == 404
        assert not ModelLogEntry.objects.filter(action=audit.INVITATION_RESENT).exists()


class TestAdmin:
    @pytest.fixture
    def failed(self, db, down):
        row, _ = delivery.queue("test:admin", "a@example.org", "Subject", "Body")
        delivery.deliver_due()
        OutboundEmail.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED)
        return row

    def staff(self, make_user, client, *codenames):
        user = make_user("staff@example.org", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["access_admin", *codenames])
        )
        client.force_login(user)
        return client

    def test_staff_see_failed_emails_and_retry_one(
        self, failed, down, make_user, client, django_capture_on_commit_callbacks
    ):
        client = self.staff(make_user, client, "change_outboundemail")
        listing = client.get(reverse("outgoing_emails:index") + "?status=failed")
        assert listing.status_code == 200
        assert "test:admin" in listing.content.decode()
        assert "ConnectionRefusedError" in listing.content.decode()
        retry_url = reverse("outgoing_emails:retry", args=[failed.pk])
        assert client.get(retry_url).status_code == 200  # asks first
        down.start()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(retry_url).status_code == 302
        assert down.recipients() == ["a@example.org"]
        entry = ModelLogEntry.objects.get(action=audit.EMAIL_RETRIED)
        assert entry.user.email == "staff@example.org"
        assert entry.object_id == str(failed.pk)
        assert entry.data == {"key": "test:admin", "to": "a@example.org"}
        assert (
            entry.message == "Asked for the email test:admin to a@example.org to be tried again now"
        )

    def test_a_retry_that_changes_nothing_is_not_logged(
        self, failed, make_user, client, django_capture_on_commit_callbacks
    ):
        OutboundEmail.objects.filter(pk=failed.pk).update(status=DeliveryStatus.SENT)
        client = self.staff(make_user, client, "change_outboundemail")
        retry_url = reverse("outgoing_emails:retry", args=[failed.pk])
        response = client.post(retry_url, follow=True)
        assert "was not retried" in response.content.decode()
        assert not ModelLogEntry.objects.filter(action=audit.EMAIL_RETRIED).exists()

    def test_viewing_is_not_retrying(self, failed, make_user, client):
        client = self.staff(make_user, client, "view_outboundemail")
        assert client.get(reverse("outgoing_emails:index")).status_code == 200
        retry_url = reverse("outgoing_emails:retry", args=[failed.pk])
        response = client.post(retry_url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        failed.refresh_from_db()
        assert failed.status == DeliveryStatus.FAILED
        assert not ModelLogEntry.objects.filter(action=audit.EMAIL_RETRIED).exists()


def test_a_second_reminder_click_while_one_waits_sends_nothing_more(
    cohort, make_user, manager_client
):
    """Without a delivery run in between (callbacks not run), the second click finds the
    reminder already on its way and logs nothing."""
    cohort.due_on = timezone.localdate() - timedelta(days=3)
    cohort.save()
    person = make_user("late@example.org")
    cohorts.join(cohort, person)
    url = reverse("courses:cohort_member_remind", args=[cohort.public_id, person.pk])
    manager_client.post(url)
    response = manager_client.post(url, follow=True)
    assert "already on its way" in response.content.decode()
    assert OutboundEmail.objects.count() == 1
    assert ModelLogEntry.objects.filter(action=audit.REMINDERS_SENT).count() == 1
