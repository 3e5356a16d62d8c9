"""The JSON course importer cleans the rich text it is given: HTML from a file is untrusted."""

import pytest

from courses.content.importer import import_course
from courses.models import LessonPage, ModulePage
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p onclick="steal()">Notice <strong>who</strong> holds the documents.</p>'
    '<script>alert("x")</script><iframe src="https://evil.example"></iframe>'
    '<p><a href="javascript:alert(1)">bad link</a> <a href="https://www.unodc.org/">UNODC</a>'
    ' <a href="mailto:help@example.org">help</a></p><ul><li>one</li></ul><!-- note -->'
)


def course_data(html):
    return {
        "slug": "imported",
        "title": "Imported course",
        "summary": "A course from a file.",
        "modules": [
            {
                "slug": "m1",
                "title": "Module one",
                "intro": html,
                "lessons": [
                    {
                        "slug": "l1",
                        "title": "Lesson one",
                        "body": [
                            {"type": "paragraph", "value": html},
                            {
                                "type": "callout",
                                "value": {"kind": "key_fact", "title": "Fact", "text": html},
                            },
                            {
                                "type": "scenario",
                                "value": {
                                    "title": "A scenario",
                                    "vignette": html,
                                    "question": "What now?",
                                    "choices": [
                                        {"text": "A", "feedback": "Yes", "recommended": True},
                                        {"text": "B", "feedback": "No", "recommended": False},
                                    ],
                                },
                            },
                        ],
                    }
                ],
            }
        ],
    }


def stored_html(lesson, module):
    parts = [str(module.intro)]
    for block in lesson.body:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(value.source)
        elif block.block_type == "callout":
            parts.append(value["text"].source)
        elif block.block_type == "scenario":
            parts.append(value["vignette"].source)
    return parts


def test_scripts_handlers_frames_and_javascript_links_never_reach_the_database(course_index):
    import_course(course_index, course_data(HOSTILE))
    lesson = LessonPage.objects.get(slug="l1")
    module = ModulePage.objects.get(slug="m1")
    parts = stored_html(lesson, module)
    assert len(parts) == 4
    for html in parts:
        for forbidden in ("<script", "onclick", "<iframe", "javascript:", "<!--"):
            assert forbidden not in html, (forbidden, html)
        # What lesson authors may use survives.
        assert "<p>Notice <strong>who</strong> holds the documents.</p>" in html
        assert '<a href="https://www.unodc.org/">UNODC</a>' in html
        assert '<a href="mailto:help@example.org">help</a>' in html
        assert "<ul><li>one</li></ul>" in html


def test_the_lesson_page_serves_only_the_clean_html(client, course_index):
    import_course(course_index, course_data(HOSTILE))
    html = client.get(LessonPage.objects.get(slug="l1").url).content.decode()
    assert 'alert("x")' not in html and "javascript:alert" not in html
    assert "evil.example" not in html


def test_importing_clean_content_again_changes_nothing(course_index):
    from wagtail.models import Revision

    import_course(course_index, course_data(HOSTILE))
    revisions = Revision.objects.count()
    import_course(course_index, course_data(HOSTILE))
    assert Revision.objects.count() == revisions


def test_scenario_choices_keep_the_same_ids_on_every_import(course_index):
    # wagtail-localize translates only list items stored with an id.
    import_course(course_index, course_data(HOSTILE))
    [scenario] = LessonPage.objects.get(slug="l1").body.raw_data[2:3]
    ids = [choice["id"] for choice in scenario["value"]["choices"]]
    assert len(set(ids)) == 2
    assert [choice["value"]["text"] for choice in scenario["value"]["choices"]] == ["A", "B"]
    import_course(course_index, course_data(HOSTILE))
    [again] = LessonPage.objects.get(slug="l1").body.raw_data[2:3]
    assert [choice["id"] for choice in again["value"]["choices"]] == ids


def quiz_data(questions=1, **extra):
    return {
        "questions": [
            {
                "type": "single",
                "text": f"Question {n}: which element is not needed for a child?",
                "choices": [
                    {"text": "The means", "correct": True},
                    {"text": "The act", "correct": False},
                ],
            }
            for n in range(questions)
        ],
        **extra,
    }


def final_data(**extra):
    """A final assessment draws 10 questions: its pool has at least that many."""
    return quiz_data(questions=10, **extra)


def course_with_quizzes(module_quiz, final):
    data = course_data("<p>Text</p>")
    data["modules"][0]["quiz"] = module_quiz
    data["final_assessment"] = final
    return data


def lesson_quizzes(course):
    return {
        lesson.slug: lesson.quiz
        for lesson in LessonPage.objects.descendant_of(course).order_by("path")
    }


class TestQuizTitles:
    def test_the_curriculum_can_give_each_quiz_a_short_human_title(self, course_index):
        data = course_with_quizzes(
            quiz_data(quiz_title="Recognising the signs: check your understanding"),
            final_data(quiz_title="Ready to respond: final assessment"),
        )
        course = import_course(course_index, data)
        quizzes = lesson_quizzes(course)
        assert quizzes["l1"].title == "Recognising the signs: check your understanding"
        assert quizzes["final-assessment"].title == "Ready to respond: final assessment"
        assert quizzes["l1"].live and quizzes["final-assessment"].live

    def test_without_one_the_title_names_the_module_or_course(self, course_index):
        course = import_course(course_index, course_with_quizzes(quiz_data(), final_data()))
        quizzes = lesson_quizzes(course)
        assert quizzes["l1"].title == "Check your understanding: Module one"
        assert quizzes["final-assessment"].title == "Final assessment: Imported course"

    def test_a_quiz_renamed_by_editors_is_kept_on_re_import(self, course_index):
        data = course_with_quizzes(quiz_data(), final_data())
        course = import_course(course_index, data)
        before = lesson_quizzes(course)
        for quiz in before.values():
            quiz.title = f"Renamed {quiz.pk}"
            quiz.save_revision().publish()
        import_course(course_index, data)
        assert lesson_quizzes(course) == before
        assert Quiz.objects.count() == 2

    def test_same_module_title_in_two_courses_gives_two_quizzes(self, course_index):
        first = import_course(course_index, course_with_quizzes(quiz_data(), final_data()))
        data = course_with_quizzes(quiz_data(), final_data())
        data["slug"] = "imported-again"
        second = import_course(course_index, data)
        assert lesson_quizzes(first)["l1"] != lesson_quizzes(second)["l1"]

    def test_a_shared_module_has_one_quiz_for_every_course(self, course_index):
        core = {
            "slug": "core",
            "title": "What sex trafficking is",
            "lessons": [{"slug": "c1", "title": "Core lesson", "body": []}],
            "quiz": quiz_data(),
        }
        data = course_data("<p>Text</p>")
        first = import_course(course_index, data, core_module=core)
        second = import_course(course_index, {**data, "slug": "second"}, core_module=core)
        assert lesson_quizzes(first)["c1"] == lesson_quizzes(second)["c1"]
        assert (
            lesson_quizzes(first)["c1"].title == "Check your understanding: What sex trafficking is"
        )
