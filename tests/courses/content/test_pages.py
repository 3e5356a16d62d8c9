"""The course page tree, its rules, and what learners see on course, module and lesson pages."""

import re

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from lantern.home.models import HomePage
from tests import factories

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


class TestCourseTreeRules(WagtailPageTestCase):
    def test_strict_parent_and_subpage_types(self):
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})

    def test_course_index_can_go_under_the_home_page(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(Page, CoursePage)

    def test_an_editor_can_create_a_lesson_in_the_admin(self):
        index = factories.make_course_index()
        course, _ = factories.make_course(index, modules=1, lessons_per_module=0)
        module = ModulePage.objects.child_of(course).get()
        self.login()
        self.assertCanCreate(
            module,
            LessonPage,
            nested_form_data(
                {
                    "title": "Receiving a disclosure",
                    "slug": "receiving-a-disclosure",
                    "estimated_minutes": 12,
                    "content_note": "Discusses abuse of children; no graphic detail.",
                    "body": streamfield(
                        [
                            ("heading", {"text": "Listen", "level": "h2"}),
                            ("paragraph", rich_text("<p>Stay calm and listen.</p>")),
                            (
                                "scenario",
                                {
                                    "title": "A pupil stays behind",
                                    "vignette": rich_text("<p>A pupil says she is scared.</p>"),
                                    "question": "What do you say first?",
                                    "choices": streamfield(
                                        [
                                            (
                                                "item",
                                                {
                                                    "text": "Thank her",
                                                    "feedback": "Yes.",
                                                    "recommended": "on",
                                                },
                                            ),
                                            (
                                                "item",
                                                {
                                                    "text": "Promise secrecy",
                                                    "feedback": "Never promise that.",
                                                },
                                            ),
                                        ]
                                    ),
                                },
                            ),
                        ]
                    ),
                    "sources": streamfield([]),
                }
            ),
        )
        lesson = LessonPage.objects.get(slug="receiving-a-disclosure")
        assert [block.block_type for block in lesson.body] == ["heading", "paragraph", "scenario"]

    def test_every_page_type_renders_and_previews(self):
        index = factories.make_course_index()
        course, lessons = factories.make_course(index, modules=1, lessons_per_module=1)
        for page in [index, course, ModulePage.objects.child_of(course).get(), lessons[0]]:
            self.assertPageIsRenderable(page)
        self.assertPageIsPreviewable(
            lessons[0],
            post_data=nested_form_data(
                {
                    "title": "Preview me",
                    "slug": "preview-me",
                    "estimated_minutes": 5,
                    "content_note": "",
                    "body": streamfield([("paragraph", rich_text("<p>Draft</p>"))]),
                    "sources": streamfield([]),
                }
            ),
        )


class TestCoursePage:
    def test_outline_lists_modules_lessons_minutes_and_content_notes(self, client, course):
        course_page, lessons = course
        lessons[1].content_note = "Discusses grooming."
        lessons[1].save_revision().publish()
        document = soup(client.get(course_page.url))
        modules = [h.get_text(strip=True) for h in document.select(".outline__module h3")]
        assert modules == ["Module 1", "Module 2"]
        items = document.select(".outline__lessons li")
        assert [li.a.get_text() for li in items] == [lesson.title for lesson in lessons]
        assert "10 min" in items[0].get_text()
        assert "Content note" in items[1].get_text()
        assert "Content note" not in items[0].get_text()

    def test_sensitive_topics_are_stated_before_anything_else(self, client, course_index):
        course_page, _ = factories.make_course(
            course_index, sensitive_topics="Discusses sexual exploitation of children."
        )
        document = soup(client.get(course_page.url))
        note = document.select_one(".content-note")
        assert "Discusses sexual exploitation of children." in note.get_text()
        outline = document.find(id="outline-title")
        assert note.sourceline < outline.sourceline

    def test_draft_and_unpublished_lessons_are_left_out(self, client, course):
        course_page, lessons = course
        lessons[0].unpublish()
        response = client.get(course_page.url)
        assert lessons[0].title.encode() not in response.content
        assert lessons[1].title.encode() in response.content
        assert client.get("/courses/test-course/module-1/lesson-1-1/").status_code == 404

    @pytest.mark.parametrize("lessons_per_module", [5, 50])
    def test_query_count_does_not_grow_with_lessons(
        self, client, course_index, django_assert_max_num_queries, lessons_per_module
    ):
        course_page, _ = factories.make_course(
            course_index, modules=2, lessons_per_module=lessons_per_module
        )
        client.get(course_page.url)
        with django_assert_max_num_queries(15):
            response = client.get(course_page.url)
        assert response.status_code == 200
        assert response.content.count(b"lesson-item lesson-item--") == 2 * lessons_per_module

    def test_course_index_lists_published_courses(self, client, course_index):
        factories.make_course(course_index, slug="one", title="First course")
        draft, _ = factories.make_course(course_index, slug="two", title="Second course")
        draft.unpublish()
        response = client.get(course_index.url)
        assert b"First course" in response.content
        assert b"Second course" not in response.content


class TestLessonPage:
    def test_previous_next_and_breadcrumbs_follow_the_tree(self, client, course):
        course_page, lessons = course
        document = soup(client.get(lessons[2].url))  # Lesson 2.1: first of module 2
        crumbs = [a.get_text() for a in document.select(".breadcrumbs a")]
        assert crumbs == ["Test course", "Module 2"]
        assert document.select_one("a[rel=prev]")["href"] == lessons[1].url
        assert document.select_one("a[rel=next]")["href"] == lessons[3].url
        assert "Lesson 3 of 4" in document.select_one(".lesson__header .meta").get_text()

    def test_first_and_last_lessons(self, client, course):
        course_page, lessons = course
        first = soup(client.get(lessons[0].url))
        assert first.select_one("a[rel=prev]") is None
        last = soup(client.get(lessons[-1].url))
        assert last.select_one("a[rel=next]") is None
        assert "Back to the course outline" in last.select_one(".lesson-nav").get_text()

    def test_content_note_comes_before_the_body(self, client, course):
        _, lessons = course
        lessons[0].content_note = "This lesson discusses grooming. There is no graphic detail."
        lessons[0].save_revision().publish()
        document = soup(client.get(lessons[0].url))
        note = document.select_one(".content-note")
        assert "discusses grooming" in note.get_text()
        assert note.sourceline < document.select_one(".lesson__body").sourceline

    def test_blocks_render(self, client, course):
        _, lessons = course
        document = soup(client.get(lessons[0].url))
        assert document.select_one(".lesson__body h2").get_text() == "What to notice"
        assert "Key fact" in document.select_one(".callout").get_text()
        assert document.select_one(".reflection")

    @pytest.mark.parametrize("lessons_per_module", [3, 30])
    def test_query_count_does_not_grow_with_lessons(
        self, client, course_index, django_assert_max_num_queries, learner, lessons_per_module
    ):
        _, lessons = factories.make_course(
            course_index, modules=2, lessons_per_module=lessons_per_module
        )
        client.force_login(learner)
        client.get(lessons[2].url)
        # Wagtail's routing walks the tree (a query per level); the rest is constant.
        with django_assert_max_num_queries(24):
            assert client.get(lessons[2].url).status_code == 200


def contents_items(document):
    """(title, state words) for each lesson in the wide-screen course contents."""
    nav = document.select_one(".course-contents--sidebar nav[aria-label='Course contents']")
    return [
        (
            li.select_one(".course-contents__title").get_text(strip=True),
            " ".join(
                span.get_text(strip=True)
                for span in li.select(".course-contents__state, .visually-hidden")
            ),
        )
        for li in nav.select(".course-contents__lesson")
    ]


class TestLessonCourseContents:
    def test_an_enrolled_learner_sees_each_lessons_state(self, client, course_index, learner):
        from courses.learning import services as progress

        course, lessons = factories.make_course(
            course_index, modules=3, lessons_per_module=2, sequential_modules=True
        )
        enrolment, _ = progress.enrol(learner, course)
        progress.complete_lesson(enrolment, lessons[0])
        client.force_login(learner)
        document = soup(client.get(lessons[1].url))
        assert contents_items(document) == [
            ("Lesson 1.1", "Completed"),
            ("Lesson 1.2", "You are here"),
            ("Lesson 2.1", "Locked"),
            ("Lesson 2.2", "Locked"),
            ("Lesson 3.1", "Locked"),
            ("Lesson 3.2", "Locked"),
        ]
        current = document.select(".course-contents--sidebar a[aria-current=page]")
        assert [a["href"] for a in current] == [lessons[1].url]
        modules = document.select(".course-contents--sidebar .course-contents__module-title")
        assert [m.get_text() for m in modules] == ["Module 1", "Module 2", "Module 3"]
        # Phones get the same contents in a closed disclosure above the lesson.
        details = document.select_one("details.course-contents--disclosure")
        assert details.summary.get_text() == "Course contents" and not details.has_attr("open")
        assert details.sourceline < document.select_one("article.lesson").sourceline

    def test_not_started_lessons_say_so_in_words(self, client, course, learner):
        from courses.learning import services as progress

        course_page, lessons = course
        progress.enrol(learner, course_page)
        client.force_login(learner)
        items = contents_items(soup(client.get(lessons[0].url)))
        assert items[0] == ("Lesson 1.1", "You are here")
        assert items[1:] == [(lesson.title, "Not started") for lesson in lessons[1:]]

    def test_anonymous_visitors_get_the_contents_without_states(self, client, course):
        _, lessons = course
        response = client.get(lessons[2].url)
        assert response.status_code == 200
        document = soup(response)
        # Where they are, but no progress: nothing is saved for them.
        assert contents_items(document) == [
            (lesson.title, "You are here" if lesson == lessons[2] else "") for lesson in lessons
        ]
        assert not document.select(".course-contents__lesson--completed")
        links = document.select(".course-contents--sidebar .course-contents__lesson a")
        assert [a["href"] for a in links] == [lesson.url for lesson in lessons]
        assert (
            document.select_one(".course-contents--sidebar a[aria-current=page]")["href"]
            == lessons[2].url
        )

    @pytest.mark.parametrize("signed_in", [True, False])
    def test_query_count_is_the_same_for_10_and_40_lessons(
        self, client, course_index, learner, signed_in
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from courses.learning import services as progress

        counts = []
        for slug, per_module in (("short", 5), ("long", 20)):
            course, lessons = factories.make_course(
                course_index, slug=slug, modules=2, lessons_per_module=per_module
            )
            if signed_in:
                enrolment, _ = progress.enrol(learner, course)
                progress.complete_lesson(enrolment, lessons[0])
                client.force_login(learner)
            client.get(lessons[1].url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(lessons[1].url)
            # Each lesson twice: the disclosure for phones and the sidebar for wide screens.
            assert len(re.findall(rb'class="course-contents__lesson[ "]', response.content)) == (
                2 * len(lessons)
            )
            counts.append(len(queries))
        assert counts[0] == counts[1]
