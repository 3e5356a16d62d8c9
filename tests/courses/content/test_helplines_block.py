"""The helplines block in a lesson: each service's "last checked" date, and the services of
the learner's jurisdiction listed first."""

import datetime

import pytest

from courses.learning import services as progress
from courses.models import Jurisdiction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson_with_helplines(course_index):
    us = Jurisdiction.objects.create(code="us", name="United States", countries="United States")
    course, lessons = factories.make_course(
        course_index,
        modules=1,
        lessons_per_module=1,
    )
    course.jurisdictions.add(us)
    course.save()
    lesson = lessons[0]
    lesson.body = factories.lesson_body(
        extra=[{"type": "helplines", "value": {"heading": "Where to get support", "country": ""}}]
    )
    lesson.save_revision().publish()
    factories.make_helpline("United Kingdom", "Childline", phone="0800 1111", sort_order=1)
    factories.make_helpline(
        "International",
        "Emergency services",
        phone="112",
        sort_order=2,
        last_verified=datetime.date(2026, 11, 28),
    )
    factories.make_helpline(
        "United States", "National Human Trafficking Hotline", phone="1-888-373-7888", sort_order=3
    )
    return course, lesson


def order(html):
    names = ["Childline", "Emergency services", "National Human Trafficking Hotline"]
    return sorted(names, key=html.index)


def test_everyone_sees_the_editors_order_and_the_last_checked_date(client, lesson_with_helplines):
    _course, lesson = lesson_with_helplines
    html = client.get(lesson.url).content.decode()
    assert order(html) == ["Childline", "Emergency services", "National Human Trafficking Hotline"]
    assert "Details last checked 28 November 2026." in html
    assert "listed first" not in html


def test_a_learners_jurisdiction_comes_first_then_international(
    client, learner, lesson_with_helplines
):
    course, lesson = lesson_with_helplines
    enrolment, _ = progress.enrol(learner, course)
    progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    assert order(html) == ["National Human Trafficking Hotline", "Emergency services", "Childline"]
    assert "Services for United States and international services are listed first." in html
