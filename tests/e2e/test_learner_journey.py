"""The whole learner journey in a real browser, on a desktop and a phone: sign in, My learning,
a lesson, its quiz, Continue from the result, the course-completion page and the certificate,
with no dead end and no serious accessibility problem on any page type on the way."""

import re

import pytest

from courses.learning import services as progress
from courses.models import Audience
from tests import factories
from tests.e2e.test_site import PASSWORD

ONE_QUESTION = [
    (
        "true_false",
        "Trafficking can happen within one town.",
        [("True", True), ("False", False)],
    )
]


@pytest.mark.parametrize("viewport", [(1280, 800), (375, 812)], ids=["desktop", "phone"])
def test_from_sign_in_to_certificate(page, make_user, assert_accessible, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    home = factories.make_home_page()
    index = factories.make_course_index(home)
    police = Audience.objects.create(name="Police", slug="police")
    course, lessons = factories.make_course(
        index, modules=1, lessons_per_module=2, title="Recognising exploitation"
    )
    course.audiences.add(police)
    course.save()
    other, _ = factories.make_course(index, slug="responding", title="Responding with care")
    other.audiences.add(police)
    other.save()
    quiz = factories.make_quiz("Check your understanding", questions=ONE_QUESTION)
    lessons[1].quiz = quiz
    lessons[1].save()
    learner = make_user("journey@example.org", password=PASSWORD, first_name="Sam", last_name="Lee")
    progress.enrol(learner, course)

    # Signing in lands on My learning.
    page.goto("/account/login/")
    page.get_by_label("Email address").fill("journey@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/learning/")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Start")).click()
    page.wait_for_url(f"**{lessons[0].url}")
    assert_accessible(page)
    page.get_by_role("button", name="Mark complete and continue").click()
    page.wait_for_url(f"**{lessons[1].url}")

    page.get_by_role("link", name="Take the quiz").click()
    page.wait_for_url(f"**/quizzes/{quiz.pk}/**")
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quizzes/attempts/**")
    page.get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/result/**")
    assert "you passed" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/learning/courses/{course.pk}/complete/")
    main = page.locator("main").inner_text()
    assert "You have completed Recognising exploitation" in main
    assert "Responding with care" in main  # another course for the same audience
    assert_accessible(page)

    page.get_by_role("link", name="See your certificate").click()
    page.wait_for_url("**/certificates/**")
    assert "Sam Lee" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(lessons[0].get_parent().url)
    assert page.locator(".status-pill--done").count() == 2
    assert page.get_by_role("link", name="Back to the course").is_visible()
    assert_accessible(page)
