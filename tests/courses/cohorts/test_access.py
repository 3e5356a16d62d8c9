"""Who may reach which cohort URL: every manager-area, export, enrolment and admin URL, for
anonymous visitors, a learner in the cohort, this organisation's manager, another
organisation's manager, an NGO editor and partnership staff; and the organisation's activity
log. Runs on SQLite and PostgreSQL."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from courses import audit
from courses.cohorts import services as cohorts
from courses.models import CohortInvitation, CohortMembership
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "learner", "manager", "other_manager", "editor", "staff"]


@dataclass
class World:
    cohort: object
    other_cohort: object
    member: object
    other_member: object
    invitation: object
    other_invitation: object
    users: dict


@pytest.fixture
def world(course, make_user):
    course_page, _lessons = course
    users = {
        "learner": make_user("member@example.org", first_name="Mira", last_name="Member"),
        "manager": make_user("manager@example.org"),
        "other_manager": make_user("other.manager@example.org"),
        "editor": make_user("editor@example.org"),
        "staff": make_user("staff@example.org"),
    }
    users["editor"].groups.add(Group.objects.get(name="Editors"))
    users["staff"].user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "view_organisation",
                "change_organisation",
                "view_cohort",
                "change_cohort",
                "view_cohortmembership",
                "view_cohortinvitation",
            ]
        )
    )
    organisation = factories.make_organisation("Alpha Police Academy", [users["manager"]])
    other = factories.make_organisation("Beta Schools", [users["other_manager"]])
    cohort = factories.make_cohort(course_page, organisation, name="Alpha recruits")
    other_cohort = factories.make_cohort(course_page, other, name="Beta teachers")
    cohorts.join(cohort, users["learner"])
    other_member = make_user("beta.member@example.org", first_name="Bea", last_name="Beta")
    cohorts.join(other_cohort, other_member)
    cohorts.add_people(cohort, [("alpha.invitee@example.org", "Ali Invitee")])
    cohorts.add_people(other_cohort, [("beta.invitee@example.org", "Bo Invitee")])
    return World(
        cohort=cohort,
        other_cohort=other_cohort,
        member=users["learner"],
        other_member=other_member,
        invitation=CohortInvitation.objects.get(cohort=cohort),
        other_invitation=CohortInvitation.objects.get(cohort=other_cohort),
        users=users,
    )


def as_role(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def is_login_redirect(response):
    return response.status_code == 302 and "login" in response["Location"]


# Pages a manager reads: allowed roles get 200, the rest a login redirect or 403/404.
READ_URLS = {
    "report": lambda w: reverse("courses:cohort", args=[w.cohort.public_id]),
    "export": lambda w: reverse("courses:cohort_export", args=[w.cohort.public_id]),
    "upload": lambda w: reverse("courses:cohort_upload", args=[w.cohort.public_id]),
}
READERS = {"manager", "staff"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(READ_URLS))
def test_cohort_pages(client, world, role, name):
    response = as_role(client, world, role).get(READ_URLS[name](world))
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in READERS:
        assert response.status_code == 200
        if name != "upload":
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"member@example.org" in body
            assert b"beta.member@example.org" not in body
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_manager_home_lists_only_ones_own_organisations(client, world, role):
    response = as_role(client, world, role).get(reverse("courses:manage"))
    if role == "anonymous":
        assert is_login_redirect(response)
        return
    if role in {"learner", "editor"}:
        assert response.status_code == 403
        assert b"Alpha" not in response.content
        return
    assert response.status_code == 200
    body = response.content.decode()
    if role == "other_manager":
        assert "Beta teachers" in body and "Alpha" not in body
    elif role == "manager":
        assert "Alpha recruits" in body and "Beta" not in body
    else:  # staff see every organisation
        assert "Alpha recruits" in body and "Beta teachers" in body


@pytest.mark.parametrize("role", ROLES)
def test_organisation_activity_log(client, world, role):
    """Each organisation's audit log: its managers and staff read it; another organisation's
    manager gets a 404 and never sees its entries."""
    for cohort, email in (
        (world.cohort, "alpha.log@example.org"),
        (world.other_cohort, "beta.log@example.org"),
    ):
        audit.record(cohort, audit.INVITED, world.users["staff"], email=email)
    url = reverse("courses:organisation_log", args=[world.cohort.organisation.public_id])
    response = as_role(client, world, role).get(url)
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in READERS:
        assert response.status_code == 200
        assert b"alpha.log@example.org" in response.content
        assert b"beta.log@example.org" not in response.content
    else:
        assert response.status_code == 404
        assert b"alpha.log@example.org" not in response.content


def _state(world):
    world.cohort.refresh_from_db()
    return (
        sorted(CohortMembership.objects.values_list("cohort_id", "user_id")),
        sorted(CohortInvitation.objects.values_list("cohort_id", "email")),
        world.cohort.invite_code,
        world.cohort.invite_enabled,
    )


# Actions: POST only. Refused roles change nothing.
ACTIONS = {
    "remind": lambda w: (reverse("courses:cohort_remind", args=[w.cohort.public_id]), {}),
    "add": lambda w: (
        reverse("courses:cohort_member_add", args=[w.cohort.public_id]),
        {"email": "walk.in@example.org", "name": "Wal"},
    ),
    "remove": lambda w: (
        reverse("courses:cohort_member_remove", args=[w.cohort.public_id, w.member.pk]),
        {},
    ),
    "cancel_invitation": lambda w: (
        reverse("courses:cohort_invitation_cancel", args=[w.cohort.public_id, w.invitation.pk]),
        {},
    ),
    "rotate_link": lambda w: (
        reverse("courses:cohort_invite_link", args=[w.cohort.public_id]),
        {"action": "rotate"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_cohort_actions(client, world, role, name):
    url, data = ACTIONS[name](world)
    before = _state(world)
    response = as_role(client, world, role).post(url, data)
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role in READERS:
        assert response.status_code == 302
        assert response["Location"].startswith(
            reverse("courses:cohort", args=[world.cohort.public_id])
        )
        if name != "remind":
            assert _state(world) != before
        return
    else:
        assert response.status_code == 404
    assert _state(world) == before


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_actions_are_post_only(client, world, name):
    url, _data = ACTIONS[name](world)
    client.force_login(world.users["manager"])
    before = _state(world)
    response = client.get(url)
    assert response.status_code in (200, 405)  # a confirmation page at most
    assert _state(world) == before


class TestNothingLeaksThroughIds:
    def test_another_cohorts_member_or_invitation_through_ones_own_cohort(self, client, world):
        client.force_login(world.users["manager"])
        own = world.cohort.public_id
        before = _state(world)
        remove = client.post(
            reverse("courses:cohort_member_remove", args=[own, world.other_member.pk])
        )
        cancel = client.post(
            reverse("courses:cohort_invitation_cancel", args=[own, world.other_invitation.pk])
        )
        assert remove.status_code == 404 and cancel.status_code == 404
        assert _state(world) == before

    def test_searching_ones_own_cohort_never_finds_other_organisations_people(self, client, world):
        client.force_login(world.users["manager"])
        response = client.get(
            reverse("courses:cohort", args=[world.cohort.public_id]), {"q": "beta"}
        )
        assert response.status_code == 200
        assert b"beta.member@example.org" not in response.content
        assert b"beta.invitee@example.org" not in response.content

    def test_the_export_holds_only_the_cohorts_own_people(self, client, world):
        client.force_login(world.users["manager"])
        response = client.get(reverse("courses:cohort_export", args=[world.cohort.public_id]))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "member@example.org" in body and "alpha.invitee@example.org" in body
        assert "beta" not in body.lower()

    def test_made_up_cohort_ids_are_not_found(self, client, world):
        import uuid

        client.force_login(world.users["staff"])
        response = client.get(reverse("courses:cohort", args=[uuid.uuid4()]))
        assert response.status_code == 404


ADMIN_URLS = {
    "organisations": lambda w: reverse("organisations:index"),
    "cohorts": lambda w: reverse("cohorts:index"),
    "cohort_edit": lambda w: reverse("cohorts:edit", args=[w.cohort.pk]),
    "members": lambda w: reverse("cohort_members:index"),
    "invitations": lambda w: reverse("cohort_invitations:index"),
    "enrolments": lambda w: reverse("enrolments:index"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_URLS))
def test_admin_views(client, world, role, name):
    response = as_role(client, world, role).get(ADMIN_URLS[name](world))
    if role == "staff" and name != "enrolments":
        assert response.status_code == 200
        return
    assert response.status_code in (302, 403)
    assert b"Alpha recruits" not in response.content
    assert b"member@example.org" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_join_page_shows_the_cohort_but_joining_needs_an_account(client, world, role):
    url = reverse("courses:join", args=[world.cohort.invite_code])
    client = as_role(client, world, role)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Alpha recruits" in page.content
    assert b"member@example.org" not in page.content  # no member is named to visitors
    joined = client.post(url)
    if role == "anonymous":
        assert is_login_redirect(joined)
        return
    assert joined.status_code == 302
    assert world.cohort.memberships.filter(user=world.users[role]).exists()


def test_self_enrolment_in_a_cohort_only_course_is_refused(client, world, make_user):
    course_page = world.cohort.courses.get()
    course_page.allow_self_enrolment = False
    course_page.save_revision().publish()
    outsider = make_user("outsider@example.org")
    client.force_login(outsider)
    response = client.post(reverse("courses:enrol", args=[course_page.pk]))
    assert response.status_code == 403
    assert not outsider.enrolments.exists()


# The learner's own answers: only the person the invitation or membership belongs to.
ANSWER_URLS = {
    "accept": lambda w: reverse("courses:invitation_accept", args=[w.invitation.pk]),
    "decline": lambda w: reverse("courses:invitation_decline", args=[w.invitation.pk]),
    "leave": lambda w: reverse("courses:cohort_leave", args=[w.cohort.public_id]),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ANSWER_URLS))
def test_nobody_answers_or_leaves_for_someone_else(client, world, role, name):
    """The invitation is addressed to alpha.invitee@example.org and the membership is the
    learner's: managers and staff of any organisation cannot accept, decline or leave for
    them."""
    if name == "leave" and role == "learner":
        pytest.skip("The member leaving themselves is the allowed case (test_consent.py).")
    before = _state(world)
    response = as_role(client, world, role).post(ANSWER_URLS[name](world))
    if role == "anonymous":
        assert is_login_redirect(response)
    else:
        assert response.status_code == 404
    assert _state(world) == before
    world.invitation.refresh_from_db()
    assert world.invitation.is_pending
