"""Fixtures shared by the courses tests: for cohorts, a one-lesson course, its organisation's
manager and a cohort due on 30 June 2030; for certificates, staff who may view them."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from tests import factories


@pytest.fixture
def small_course(course_index):
    course_page, _lessons = factories.make_course(
        course_index, title="Recognising exploitation", modules=1, lessons_per_module=1
    )
    return course_page


@pytest.fixture
def manager(make_user):
    return make_user("manager@northbridge.example", first_name="Maya", last_name="Manager")


@pytest.fixture
def cohort(small_course, manager):
    organisation = factories.make_organisation("Northbridge Trust & Safety", managers=[manager])
    return factories.make_cohort(
        small_course, organisation=organisation, name="Moderators", due_on=date(2030, 6, 30)
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def staff(make_user):
    user = make_user("records@example.org")
    user.user_permissions.add(
        Permission.objects.get(codename="view_certificate", content_type__app_label="courses")
    )
    return user
