"""The lesson layout in a real browser: course contents beside the lesson on wide screens,
folded into a disclosure above it on phones."""

from tests import factories
from tests.e2e.test_site import log_in


def enrolled_lesson_page(page, make_user):
    """A learner part-way through a sequential course, on its second lesson."""
    from courses.learning import services as progress

    home = factories.make_home_page()
    index = factories.make_course_index(home)
    course, lessons = factories.make_course(
        index, modules=3, lessons_per_module=2, sequential_modules=True
    )
    learner = make_user("reader@example.org", password="a-long-unusual-passphrase")
    enrolment, _ = progress.enrol(learner, course)
    progress.complete_lesson(enrolment, lessons[0])
    log_in(page, "reader@example.org", lessons[1].url)
    return lessons


def test_wide_screens_show_the_course_contents_beside_the_lesson(
    page, make_user, assert_accessible
):
    page.set_viewport_size({"width": 1280, "height": 800})
    enrolled_lesson_page(page, make_user)
    sidebar = page.locator(".course-contents--sidebar")
    assert sidebar.is_visible()
    assert not page.locator("details.course-contents--disclosure").is_visible()
    lesson_box = page.locator("article.lesson").bounding_box()
    assert sidebar.bounding_box()["x"] >= lesson_box["x"] + lesson_box["width"]
    nav = page.get_by_role("navigation", name="Course contents")
    assert nav.count() == 1  # the hidden copy is not in the accessibility tree
    current = nav.locator("a[aria-current=page]")
    assert "Lesson 1.2" in current.inner_text() and "You are here" in current.inner_text()
    assert "Completed" in nav.get_by_role("link", name="Lesson 1.1").inner_text()
    assert "Locked" in nav.get_by_role("link", name="Lesson 2.1").inner_text()
    for link in nav.get_by_role("link").all():
        assert link.bounding_box()["height"] >= 24
    assert_accessible(page)


def test_phones_fold_the_course_contents_above_the_lesson(page, make_user, assert_accessible):
    page.set_viewport_size({"width": 375, "height": 812})
    enrolled_lesson_page(page, make_user)
    assert not page.locator(".course-contents--sidebar").is_visible()
    disclosure = page.locator("details.course-contents--disclosure")
    assert disclosure.is_visible()
    nav = page.get_by_role("navigation", name="Course contents")
    assert not nav.is_visible()
    disclosure.locator("summary").click()
    assert nav.is_visible()
    assert "Locked" in nav.get_by_role("link", name="Lesson 3.1").inner_text()
    summary_box = disclosure.bounding_box()
    assert summary_box["y"] < page.locator("article.lesson").bounding_box()["y"]
    assert_accessible(page)
