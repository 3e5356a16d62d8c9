"""The course outline and the lesson page's course contents are built in Python
(courses.content.outline): their fixed words follow the interface language like the
templates' do."""

import pytest

from courses.learning import services as progress

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = ("Not started", "Completed", "You are here", 'aria-label="Course contents"')


@pytest.fixture
def started(client, learner, course):
    """A learner who has completed the first lesson."""
    course_page, lessons = course
    enrolment, _created = progress.enrol(learner, course_page)
    progress.complete_lesson(enrolment, lessons[0])
    client.force_login(learner)
    return course_page, lessons


def test_the_course_outline_in_spanish(client, started):
    course_page, _lessons = started
    html = client.get("/es" + course_page.url).content.decode()
    assert '<span class="status-pill state state--done">Completado</span>' in html
    assert '<span class="status-pill state state--not_started">Sin empezar</span>' in html
    assert '<span class="status-pill state--in_progress">En curso</span>' in html
    assert not any(word in html for word in ENGLISH_WORDS)


def test_the_lesson_pages_course_contents_in_spanish(client, started):
    _course_page, lessons = started
    html = client.get("/es" + lessons[1].url).content.decode()
    assert '<nav class="course-contents__nav" aria-label="Contenido del curso">' in html
    assert '<span class="course-contents__state">Está aquí</span>' in html
    assert '<span class="course-contents__state">Completado</span>' in html
    assert not any(word in html for word in ENGLISH_WORDS)


def test_and_in_english_at_the_english_address(client, started):
    _course_page, lessons = started
    html = client.get(lessons[1].url).content.decode()
    assert '<span class="course-contents__state">You are here</span>' in html
    assert 'aria-label="Course contents"' in html
