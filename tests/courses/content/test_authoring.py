"""Editors author in the Wagtail admin, a reviewer approves; the language guard warns."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import LessonPage
from lantern.home import demo

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    editor = make_user("editor@example.org")
    editor.groups.add(Group.objects.get(name="Editors"))
    reviewer = make_user("reviewer@example.org")
    reviewer.groups.add(Group.objects.get(name="Moderators"))
    return editor, reviewer


def lesson_form(title="Lesson 1.1", text="<p>Listen without judgement.</p>", **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": "lesson-1-1",
            "estimated_minutes": 10,
            "content_note": "",
            "body": streamfield([("paragraph", rich_text(text))]),
            "sources": streamfield([]),
            **extra,
        }
    )


class TestLanguageGuard:
    def test_saving_a_lesson_with_an_avoid_term_warns_but_saves(self, client, course, staff):
        _, lessons = course
        editor, _ = staff
        client.force_login(editor)
        url = reverse("wagtailadmin_pages:edit", args=[lessons[0].pk])
        response = client.post(
            url, lesson_form(text="<p>She was described as a child prostitute.</p>"), follow=True
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "Language check" in content
        assert "child who has been sexually exploited" in content
        draft = LessonPage.objects.get(pk=lessons[0].pk).get_latest_revision_as_object()
        assert "child prostitute" in str(draft.body[0].value)

    def test_edit_form_shows_the_check_panel(self, client, course, staff):
        _, lessons = course
        editor, _ = staff
        client.force_login(editor)
        client.post(
            reverse("wagtailadmin_pages:edit", args=[lessons[0].pk]),
            lesson_form(text="<p>Material described as child pornography was found.</p>"),
        )
        page = client.get(reverse("wagtailadmin_pages:edit", args=[lessons[0].pk]))
        content = page.content.decode()
        assert "data-language-check" in content
        assert "child sexual abuse material" in content

    def test_law_names_and_accepted_wording_raise_no_warning(self, client, course, staff):
        _, lessons = course
        editor, _ = staff
        client.force_login(editor)
        text = (
            "<p>The Child Pornography Prevention Act of 1996 is a US law. Today we say "
            "child sexual abuse material.</p>"
        )
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[lessons[0].pk]),
            lesson_form(text=text),
            follow=True,
        )
        assert "Language check:" not in response.content.decode().split("data-language-check")[0]
        messages = [str(m) for m in response.context["messages"]]
        assert not any("Language check" in m for m in messages)


class TestReviewWorkflow:
    def test_editor_submits_and_reviewer_publishes(self, client, course, course_index, staff):
        _, lessons = course
        editor, reviewer = staff
        demo.ensure_review_workflow(course_index)
        lesson = lessons[0]
        client.force_login(editor)
        edit_url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
        # An editor cannot publish directly...
        client.post(edit_url, {**lesson_form(title="Changed title"), "action-publish": "1"})
        assert LessonPage.objects.get(pk=lesson.pk).title == "Lesson 1.1"
        # ...but can submit for review.
        response = client.post(
            edit_url, {**lesson_form(title="Reviewed title"), "action-submit": "1"}
        )
        assert response.status_code == 302
        state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(lesson.pk))
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.workflow.name == demo.WORKFLOW_NAME
        assert LessonPage.objects.get(pk=lesson.pk).title == "Lesson 1.1"

        client.force_login(reviewer)
        task_state = state.current_task_state
        approve = reverse(
            "wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk]
        )
        response = client.post(approve, {"comment": "Accurate and careful."})
        assert response.status_code in (200, 302)
        published = LessonPage.objects.get(pk=lesson.pk)
        assert published.title == "Reviewed title"
        assert published.live
        state.refresh_from_db()
        assert state.status == WorkflowState.STATUS_APPROVED
