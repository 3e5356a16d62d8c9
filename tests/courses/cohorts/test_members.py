"""Managers adding one person, removing members, cancelling invitations and managing the
invitation link; the manager's panel on the cohort page."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from courses.cohorts import services as cohorts
from courses.models import CohortInvitation, CohortMembership, Enrolment
from tests import factories


@pytest.fixture
def other_cohort(small_course, make_user):
    organisation = factories.make_organisation(
        "Elsewhere Academy", managers=[make_user("other.manager@elsewhere.example")]
    )
    return factories.make_cohort(small_course, organisation=organisation, name="Recruits")


@pytest.fixture
def member(cohort, make_user):
    person = make_user("member@example.org", first_name="Sam", last_name="Member")
    cohorts.join(cohort, person)
    return person


@pytest.fixture
def invitation(cohort):
    return cohorts.add_people(cohort, [("invited@example.org", "Ida")]).invited[0]


def url(name, cohort, *args):
    return reverse(f"courses:{name}", args=[cohort.public_id, *args])


def cohort_url(cohort):
    return reverse("courses:cohort", args=[cohort.public_id])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def staff_with(make_user, *codenames):
    user = make_user(f"staff-{'-'.join(codenames)}@example.org", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="courses", codename__in=codenames)
    )
    return user


# Each manager action, with the data that would succeed for the manager.
ACTIONS = {
    "add": lambda c, m, i: (url("cohort_member_add", c), {"email": "new@example.org"}),
    "remove": lambda c, m, i: (url("cohort_member_remove", c, m.pk), {}),
    "cancel": lambda c, m, i: (url("cohort_invitation_cancel", c, i.pk), {}),
    "rotate": lambda c, m, i: (url("cohort_invite_link", c), {"action": "rotate"}),
    "disable": lambda c, m, i: (url("cohort_invite_link", c), {"action": "disable"}),
}


def state(cohort):
    cohort.refresh_from_db()
    return (
        sorted(cohort.memberships.values_list("user__email", flat=True)),
        sorted(cohort.invitations.values_list("email", flat=True)),
        cohort.invite_code,
        cohort.invite_enabled,
    )


@pytest.mark.parametrize("action", ACTIONS)
class TestAccessToEachAction:
    def test_visitors_are_sent_to_log_in(self, client, cohort, member, invitation, action):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        response = client.post(target, data)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
        assert state(cohort) == before

    def test_learners_get_a_404(self, client, cohort, member, invitation, learner, action):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        client.force_login(learner)
        assert client.post(target, data).status_code == 404
        assert state(cohort) == before

    def test_managers_of_another_organisation_get_a_404(
        self, client, cohort, other_cohort, member, invitation, action
    ):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        client.force_login(other_cohort.organisation.managers.get())
        assert client.post(target, data).status_code == 404
        assert state(cohort) == before

    def test_staff_who_can_only_view_are_refused(
        self, client, cohort, member, invitation, make_user, action
    ):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        client.force_login(staff_with(make_user, "view_cohort"))
        assert client.post(target, data).status_code == 403
        assert state(cohort) == before

    def test_staff_who_can_change_cohorts_may(
        self, client, cohort, member, invitation, make_user, action
    ):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        client.force_login(staff_with(make_user, "view_cohort", "change_cohort"))
        response = client.post(target, data)
        assert response.status_code == 302 and response.url == cohort_url(cohort)
        assert state(cohort) != before

    def test_the_manager_may(self, manager_client, cohort, member, invitation, action):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        response = manager_client.post(target, data)
        assert response.status_code == 302 and response.url == cohort_url(cohort)
        assert messages_of(response)
        assert state(cohort) != before

    def test_actions_need_the_csrf_token(self, cohort, member, invitation, manager, action):
        target, data = ACTIONS[action](cohort, member, invitation)
        before = state(cohort)
        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)
        assert client.post(target, data).status_code == 403
        assert state(cohort) == before


@pytest.mark.parametrize("name", ["cohort_member_add", "cohort_invite_link"])
def test_get_on_post_only_actions_is_not_allowed(manager_client, cohort, name):
    assert manager_client.get(url(name, cohort)).status_code == 405


def test_get_on_cancel_only_asks_for_confirmation(manager_client, cohort, invitation):
    target = url("cohort_invitation_cancel", cohort, invitation.pk)
    response = manager_client.get(target)
    assert response.status_code == 200
    assert "Cancel this invitation?" in response.content.decode()
    assert cohort.invitations.exists()


class TestAddOnePerson:
    def post(self, client, cohort, **data):
        return client.post(url("cohort_member_add", cohort), data)

    def test_someone_with_an_account_is_invited_not_added(
        self, manager_client, cohort, manager, learner, small_course
    ):
        response = self.post(manager_client, cohort, email=" Learner@Example.org ", name="")
        assert response.url == cohort_url(cohort)
        assert not CohortMembership.objects.filter(cohort=cohort, user=learner).exists()
        assert not Enrolment.objects.filter(user=learner, course=small_course).exists()
        invitation = CohortInvitation.objects.get(cohort=cohort)
        assert invitation.email == "learner@example.org" and invitation.invited_by == manager
        assert any("An invitation will be sent" in m for m in messages_of(response))

    def test_someone_without_an_account_is_invited_by_email(
        self, manager_client, cohort, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = self.post(manager_client, cohort, email="New@Example.org", name="Nia New")
        invitation = CohortInvitation.objects.get(cohort=cohort)
        assert (invitation.email, invitation.name) == ("new@example.org", "Nia New")
        assert [message.to for message in mail.outbox] == [["new@example.org"]]
        assert any("An invitation will be sent" in m for m in messages_of(response))

    def test_replies_for_known_and_unknown_addresses_are_byte_identical(
        self, manager_client, cohort, learner
    ):
        """Nothing a manager sees tells them whether an address has an account."""

        def add_and_look(email):
            reply = self.post(manager_client, cohort, email=email, name="Sam")
            page = manager_client.get(reply.url)
            return reply, page.content.decode().replace(email, "EMAIL")

        known_reply, known_page = add_and_look("learner@example.org")
        unknown_reply, unknown_page = add_and_look("stranger@example.org")
        assert known_reply.status_code == unknown_reply.status_code == 302
        assert known_reply.url == unknown_reply.url
        assert known_reply.content == unknown_reply.content
        assert dict(known_reply.items()).keys() == dict(unknown_reply.items()).keys()
        # Both now appear the same way: as invited, with the name the manager typed.
        assert known_page.count("status--invited") == 1
        assert unknown_page.count("status--invited") == 2
        assert "Lena" not in known_page  # the account's own name is not revealed

    def test_someone_already_there_is_reported(self, manager_client, cohort, member, invitation):
        for email in ("member@example.org", "INVITED@example.org"):
            response = self.post(manager_client, cohort, email=email)
            assert any("already in this cohort" in m for m in messages_of(response))
        assert cohort.memberships.count() == 1 and cohort.invitations.count() == 1

    @pytest.mark.parametrize(
        "data,error",
        [
            ({"email": "not-an-email"}, "Enter a valid email address."),
            ({"email": ""}, "This field is required."),
            ({"email": "a@example.org", "name": "N" * 201}, "at most 200 characters"),
        ],
    )
    def test_bad_input_shows_the_form_with_errors(self, manager_client, cohort, data, error):
        response = self.post(manager_client, cohort, **data)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="error-summary"' in html and error in html
        assert '<label for="id_email">' in html
        assert not cohort.invitations.exists()

    def test_a_full_cohort_refuses_with_a_message(self, manager_client, cohort, member):
        cohort.seat_limit = 1
        cohort.save()
        response = self.post(manager_client, cohort, email="new@example.org")
        assert response.url == cohort_url(cohort)
        assert any("free places" in m for m in messages_of(response))
        assert not cohort.invitations.exists()

    def test_a_closed_cohort_refuses_with_a_message(self, manager_client, cohort):
        cohort.is_active = False
        cohort.save()
        response = self.post(manager_client, cohort, email="new@example.org")
        assert any("closed to new members" in m for m in messages_of(response))
        assert not cohort.invitations.exists()

    def test_names_are_kept_as_typed(self, manager_client, cohort):
        self.post(manager_client, cohort, email="a@example.org", name='=HYPERLINK("x")')
        assert cohort.invitations.get().name == '=HYPERLINK("x")'


class TestRemoveMember:
    def test_get_asks_for_confirmation(self, manager_client, cohort, member):
        response = manager_client.get(url("cohort_member_remove", cohort, member.pk))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Sam Member" in html and "member@example.org" in html
        assert "csrfmiddlewaretoken" in html
        assert cohort.memberships.filter(user=member).exists()

    def test_post_removes_but_keeps_their_progress(self, manager_client, cohort, member):
        response = manager_client.post(url("cohort_member_remove", cohort, member.pk))
        assert response.url == cohort_url(cohort)
        assert not cohort.memberships.exists()
        enrolment = Enrolment.objects.get(user=member)
        assert enrolment.cohort is None and enrolment.due_at is None
        assert any("Sam Member is no longer in this cohort" in m for m in messages_of(response))

    def test_a_member_of_another_cohort_is_a_404(
        self, manager_client, cohort, other_cohort, learner
    ):
        cohorts.join(other_cohort, learner)
        target = url("cohort_member_remove", cohort, learner.pk)
        assert manager_client.get(target).status_code == 404
        assert manager_client.post(target).status_code == 404
        assert other_cohort.memberships.filter(user=learner).exists()

    def test_someone_who_is_not_a_member_is_a_404(self, manager_client, cohort, learner):
        for user_id in (learner.pk, 999999):
            target = url("cohort_member_remove", cohort, user_id)
            assert manager_client.post(target).status_code == 404

    def test_the_confirmation_page_needs_access_too(self, client, cohort, member, learner):
        target = url("cohort_member_remove", cohort, member.pk)
        assert client.get(target).status_code == 302
        client.force_login(learner)
        assert client.get(target).status_code == 404


class TestCancelInvitation:
    def test_cancelling_frees_the_place(self, manager_client, cohort, invitation, make_user):
        response = manager_client.post(url("cohort_invitation_cancel", cohort, invitation.pk))
        assert response.url == cohort_url(cohort)
        assert not cohort.invitations.exists()
        assert any("invited@example.org was cancelled" in m for m in messages_of(response))
        make_user("invited@example.org")  # signing up no longer joins
        assert not cohort.memberships.exists()

    def test_an_invitation_of_another_cohort_is_a_404(self, manager_client, cohort, other_cohort):
        theirs = cohorts.add_people(other_cohort, [("theirs@example.org", "")]).invited[0]
        target = url("cohort_invitation_cancel", cohort, theirs.pk)
        assert manager_client.post(target).status_code == 404
        assert other_cohort.invitations.exists()

    def test_an_unknown_invitation_is_a_404(self, manager_client, cohort):
        target = url("cohort_invitation_cancel", cohort, 999999)
        assert manager_client.post(target).status_code == 404


class TestInviteLink:
    def post(self, client, cohort, action):
        return client.post(url("cohort_invite_link", cohort), {"action": action})

    def test_rotating_makes_a_new_code_and_the_old_link_stops_working(
        self, manager_client, cohort, member
    ):
        old = cohort.invite_code
        response = self.post(manager_client, cohort, "rotate")
        cohort.refresh_from_db()
        assert cohort.invite_code != old and len(cohort.invite_code) == 12
        assert any("new code" in m for m in messages_of(response))
        assert manager_client.get(reverse("courses:join", args=[old])).status_code == 404
        new_link = reverse("courses:join", args=[cohort.invite_code])
        assert manager_client.get(new_link).status_code == 200
        assert cohort.memberships.filter(user=member).exists()

    def test_switching_off_and_on(self, manager_client, cohort):
        join_url = reverse("courses:join", args=[cohort.invite_code])
        response = self.post(manager_client, cohort, "disable")
        cohort.refresh_from_db()
        assert not cohort.invite_enabled
        assert any("switched off" in m for m in messages_of(response))
        assert manager_client.get(join_url).status_code == 404
        self.post(manager_client, cohort, "enable")
        cohort.refresh_from_db()
        assert cohort.invite_enabled
        assert manager_client.get(join_url).status_code == 200

    @pytest.mark.parametrize("action", ["", "delete", "ROTATE"])
    def test_an_unknown_action_is_refused(self, manager_client, cohort, action):
        before = state(cohort)
        response = self.post(manager_client, cohort, action)
        assert response.status_code == 400
        assert state(cohort) == before


class TestManagePanel:
    def render(self, cohort, can_manage, user):
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "courses/cohorts/_manage_panel.html",
            {
                "cohort": cohort,
                "seats_taken": cohorts.seats_taken(cohort),
                "join_url": "https://lantern.example"
                + reverse("courses:join", args=[cohort.invite_code]),
                "can_manage": can_manage,
            },
            request=request,
        )

    def test_managers_see_the_link_code_seats_and_actions(self, cohort, manager, member):
        cohort.seat_limit = 10
        cohort.save()
        html = self.render(cohort, True, manager)
        code = cohort.invite_code
        assert f"https://lantern.example/join/{code}/" in html
        assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in html
        assert "1 of 10</strong> places used" in html
        assert url("cohort_invite_link", cohort) in html
        assert 'value="rotate"' in html and 'value="disable"' in html
        assert 'value="enable"' not in html
        assert url("cohort_member_add", cohort) in html
        assert url("cohort_upload", cohort) in html
        assert html.count("csrfmiddlewaretoken") == 3
        assert '<label for="add-person-email-' in html

    def test_viewers_see_the_link_but_no_actions(self, cohort, manager):
        html = self.render(cohort, False, manager)
        assert cohort.invite_code[:4] in html
        assert "places used" in html and "No limit" in html
        assert "csrfmiddlewaretoken" not in html
        assert url("cohort_upload", cohort) not in html

    def test_a_switched_off_link_is_not_shown(self, cohort, manager):
        cohort.invite_enabled = False
        cohort.save()
        html = self.render(cohort, True, manager)
        assert cohort.invite_code not in html
        assert "switched off" in html and 'value="enable"' in html
