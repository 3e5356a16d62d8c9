"""Quizzes go through the "Subject-matter review" workflow: editors submit, a reviewer approves,
and learners only ever see the live (approved) version."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from quizzes.models import Attempt, Quiz
from quizzes.services import start_attempt

pytestmark = pytest.mark.django_db


def quiz_form(title, question_text, quiz=None, **extra):
    """The quiz editor's POST data: one question with two choices (the existing ones, with
    their ids, when `quiz` is given)."""
    question = quiz.questions.get() if quiz else None
    choices = list(question.choices.all()) if question else [None, None]
    return nested_form_data(
        {
            "title": title,
            "intro": "",
            "pass_mark": 80,
            "attempts_allowed": 0,
            "cooldown_minutes": 0,
            "questions_to_draw": 0,
            "time_limit_minutes": 0,
            "late_policy": "flag",
            "feedback_mode": "key_when_done",
            "blueprint": inline_formset([]),
            "questions": inline_formset(
                [
                    {
                        **({"id": question.pk} if question else {}),
                        "kind": "single",
                        "scoring": "all_or_nothing",
                        "vignette": "",
                        "text": question_text,
                        "explanation": "Under-18s: the means are not needed.",
                        "tags": "definition",
                        "choices": inline_formset(
                            [
                                {
                                    **({"id": choices[0].pk} if question else {}),
                                    "text": "The means",
                                    "is_correct": "on",
                                    "feedback": "Yes.",
                                },
                                {
                                    **({"id": choices[1].pk} if question else {}),
                                    "text": "The act",
                                    "feedback": "The act is needed.",
                                },
                            ],
                            initial=2 if question else 0,
                        ),
                    }
                ],
                initial=1 if question else 0,
            ),
            **extra,
        }
    )


@pytest.fixture
def review_workflow(db):
    """The demo's workflow, assigned to quizzes: one task for the Moderators group."""
    task = GroupApprovalTask.objects.create(name="Subject-matter review")
    task.groups.set([Group.objects.get(name="Moderators")])
    workflow = Workflow.objects.create(name="Subject-matter review", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        content_type=ContentType.objects.get_for_model(Quiz), workflow=workflow
    )
    return workflow


@pytest.fixture
def editor(make_user):
    user = make_user("editor@example.org")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewer(make_user):
    user = make_user("reviewer@example.org")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def approve(client, quiz):
    state = quiz.current_workflow_state
    url = reverse(
        "wagtailsnippets_quizzes_quiz:workflow_action",
        args=[quiz.pk, "approve", state.current_task_state.pk],
    )
    response = client.post(url, {"comment": ""})
    assert response.status_code in (200, 302), response.content.decode()[:2000]


def learner_sees(learner, quiz):
    """The quiz page as the learner sees it (in their own browser)."""
    client = Client()
    client.force_login(learner)
    response = client.get(reverse("quizzes:detail", args=[quiz.pk]))
    return response.status_code, response.content.decode()


class TestQuizReview:
    def test_editor_submits_a_new_quiz_and_learners_see_it_only_once_approved(
        self, client, editor, reviewer, learner, review_workflow
    ):
        client.force_login(editor)
        add_url = reverse("wagtailsnippets_quizzes_quiz:add")
        response = client.post(
            add_url, quiz_form("Recognising the signs", "Which element?", **{"action-submit": "1"})
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        quiz = Quiz.objects.get(title="Recognising the signs")
        assert [c.text for c in quiz.questions.get().choices.all()] == ["The means", "The act"]
        assert not quiz.live
        assert quiz.current_workflow_state.status == "in_progress"
        assert quiz.current_workflow_state.requested_by == editor

        assert learner_sees(learner, quiz)[0] == 404

        client.force_login(reviewer)
        approve(client, quiz)
        quiz.refresh_from_db()
        assert quiz.live and quiz.current_workflow_state is None

        status, html = learner_sees(learner, quiz)
        assert status == 200 and "Recognising the signs" in html

    def test_a_submitted_change_waits_for_approval_while_learners_keep_the_live_version(
        self, client, editor, reviewer, learner, review_workflow
    ):
        client.force_login(reviewer)
        response = client.post(
            reverse("wagtailsnippets_quizzes_quiz:add"),
            quiz_form("Recognising the signs", "Old wording?", **{"action-publish": "1"}),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        quiz = Quiz.objects.get(title="Recognising the signs")
        assert quiz.live

        client.force_login(editor)
        edit_url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
        response = client.post(
            edit_url,
            quiz_form(
                "Recognising the signs, revised", "New wording?", quiz, **{"action-submit": "1"}
            ),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        quiz.refresh_from_db()
        assert quiz.has_unpublished_changes and quiz.current_workflow_state is not None
        latest = quiz.get_latest_revision_as_object()
        assert latest.title == "Recognising the signs, revised"

        # Until a reviewer approves, learners see (and are tested on) the live version.
        status, html = learner_sees(learner, quiz)
        assert status == 200 and "revised" not in html
        attempt = start_attempt(learner, Quiz.objects.get(pk=quiz.pk))
        assert [q["text"] for q in attempt.snapshot] == ["Old wording?"]
        Attempt.objects.filter(pk=attempt.pk).delete()

        client.force_login(reviewer)
        approve(client, quiz)
        quiz.refresh_from_db()
        assert quiz.title == "Recognising the signs, revised" and not quiz.has_unpublished_changes

        status, html = learner_sees(learner, quiz)
        assert "Recognising the signs, revised" in html
        attempt = start_attempt(learner, Quiz.objects.get(pk=quiz.pk))
        assert [q["text"] for q in attempt.snapshot] == ["New wording?"]

    def test_editors_cannot_publish_directly(self, client, editor, review_workflow):
        client.force_login(editor)
        response = client.post(
            reverse("wagtailsnippets_quizzes_quiz:add"),
            quiz_form("Recognising the signs", "Which element?", **{"action-publish": "1"}),
        )
        quiz = Quiz.objects.filter(title="Recognising the signs").first()
        assert quiz is None or not quiz.live, response.status_code
        assert not editor.has_perm("quizzes.publish_quiz")

    def test_the_edit_view_offers_editors_the_workflow(self, client, editor, review_workflow):
        client.force_login(editor)
        html = client.get(reverse("wagtailsnippets_quizzes_quiz:add")).content.decode()
        assert "Submit to Subject-matter review" in html
        assert 'name="action-publish"' not in html
