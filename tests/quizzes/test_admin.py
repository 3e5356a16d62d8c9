"""Editors author quizzes in the Wagtail admin: questions and choices nested in one form."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


def quiz_form(**extra):
    return nested_form_data(
        {
            "title": "Module 1 check",
            "intro": "Five questions on the definition.",
            "pass_mark": 80,
            "attempts_allowed": 3,
            "cooldown_minutes": 10,
            "questions_to_draw": 0,
            "time_limit_minutes": 0,
            "late_policy": "flag",
            "feedback_mode": "without_key",
            "review_before_submit": "on",
            "blueprint": inline_formset([]),
            "questions": inline_formset(
                [
                    {
                        "kind": "single",
                        "scoring": "all_or_nothing",
                        "vignette": "",
                        "text": "Which element is not needed for a child?",
                        "explanation": "For under-18s the means are not needed.",
                        "tags": "definition",
                        "choices": inline_formset(
                            [
                                {"text": "The means", "is_correct": "on", "feedback": "Yes."},
                                {"text": "The act", "feedback": "The act is needed."},
                            ]
                        ),
                    }
                ]
            ),
            **extra,
        }
    )


def test_editor_creates_a_quiz_with_nested_questions_and_choices(client, make_user):
    """The Editors group alone is enough (the 0002_quiz_workflow migration grants it)."""
    editor = make_user("editor@example.org")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    url = reverse("wagtailsnippets_quizzes_quiz:add")
    response = client.post(url, quiz_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    quiz = Quiz.objects.get(title="Module 1 check")
    question = quiz.questions.get()
    assert question.text == "Which element is not needed for a child?"
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("The means", True),
        ("The act", False),
    ]


def test_preview_shows_editors_the_answers(admin_client):
    url = reverse("wagtailsnippets_quizzes_quiz:preview_on_add")
    response = admin_client.post(url, quiz_form())
    assert response.status_code == 200
    preview = admin_client.get(url)
    assert b"correct" in preview.content and b"The means" in preview.content
