"""The JSON course importer cleans the rich text it is given: HTML from a file is untrusted."""

import pytest

from courses.content.importer import import_course
from courses.models import LessonPage, ModulePage

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
