"""Fixtures shared by the courses tests.

Cohorts: `manager` manages `organisation` (Northbridge Trust & Safety); `cohort` takes the
one-lesson `small_course`, `course_cohort` the two-module `course`; both are due on 30 June 2030.
Certificates: `staff` who may view them."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from tests import factories

DUE_ON = date(2030, 6, 30)


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
def organisation(manager):
    return factories.make_organisation("Northbridge Trust & Safety", managers=[manager])


@pytest.fixture
def cohort(small_course, organisation):
    return factories.make_cohort(
        small_course, organisation=organisation, name="Moderators, spring", due_on=DUE_ON
    )


@pytest.fixture
def course_cohort(course, organisation):
    return factories.make_cohort(
        course[0], organisation=organisation, name="Spring intake: Leeds", due_on=DUE_ON
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
