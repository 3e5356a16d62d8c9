"""Staff with permission read enrolments in the admin; nobody edits them there."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from courses.learning import services as progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(course, learner):
    enrolment, _ = progress.enrol(learner, course[0])
    return enrolment


class TestEnrolmentAdmin:
    def test_superuser_lists_filters_and_inspects(self, admin_client, enrolment):
        response = admin_client.get(reverse("enrolments:index"))
        assert response.status_code == 200
        assert b"learner@example.org" in response.content or b"Lena Novak" in response.content
        filtered = admin_client.get(reverse("enrolments:index"), {"status": "completed"})
        assert b"Lena Novak" not in filtered.content
        searched = admin_client.get(reverse("enrolments:index"), {"q": "learner@"})
        assert b"Lena Novak" in searched.content
        inspect = admin_client.get(reverse("enrolments:inspect", args=[enrolment.pk]))
        assert inspect.status_code == 200

    def test_nobody_can_add_or_edit_here(self, admin_client, enrolment):
        assert admin_client.get(reverse("enrolments:add")).status_code in (302, 403)
        assert admin_client.get(reverse("enrolments:edit", args=[enrolment.pk])).status_code in (
            302,
            403,
        )
        assert admin_client.post(reverse("enrolments:delete", args=[enrolment.pk])).status_code in (
            302,
            403,
        )
        enrolment.refresh_from_db()

    def test_ngo_editors_do_not_see_learner_records(self, client, enrolment, make_user):
        editor = make_user("editor@example.org")
        editor.groups.add(Group.objects.get(name="Editors"))
        client.force_login(editor)
        response = client.get(reverse("enrolments:index"))
        assert response.status_code in (302, 403)
        assert b"Lena Novak" not in response.content

    def test_staff_with_the_view_permission_can_read(self, client, enrolment, make_user):
        officer = make_user("officer@example.org")
        officer.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_enrolment"),
        )
        client.force_login(officer)
        assert client.get(reverse("enrolments:index")).status_code == 200

    def test_learners_are_sent_away(self, client, enrolment, learner):
        client.force_login(learner)
        response = client.get(reverse("enrolments:index"))
        assert response.status_code in (302, 403)
