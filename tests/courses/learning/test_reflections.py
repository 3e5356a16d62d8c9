"""Reflection answers are private to the learner, kept as typed, shown escaped, editable and
never leak."""

import pytest
from django.urls import reverse

from courses.models import Reflection

pytestmark = pytest.mark.django_db


def reflection_id(lesson):
    return next(child.id for child in lesson.body if child.block_type == "reflection")


def save_url(lesson, block_id=None):
    return reverse("courses:save_reflection", args=[lesson.pk, block_id or reflection_id(lesson)])


class TestSaveReflection:
    def test_learner_saves_and_sees_their_answer_in_the_lesson(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        response = client.post(save_url(lessons[0]), {"text": "I would listen first & stay calm."})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#reflection-{reflection_id(lessons[0])}")
        page = client.get(lessons[0].url)
        assert b"I would listen first &amp; stay calm." in page.content
        assert b"Only you can see it" in page.content or b"Saved" in page.content

    def test_markup_is_kept_as_typed_and_shown_escaped(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        typed = '<script>alert(1)</script><b>Listen</b> & say "you are safe"'
        client.post(save_url(lessons[0]), {"text": typed})
        assert Reflection.objects.get().text == typed  # stored exactly as typed
        html = client.get(lessons[0].url).content.decode()
        assert "<script>alert(1)</script>" not in html and "<b>Listen</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Listen&lt;/b&gt; &amp; say" in html

    def test_invisible_control_characters_are_dropped(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        response = client.post(save_url(lessons[0]), {"text": "Calm\x00 first\x1b\r\nthen ask"})
        assert response.status_code == 302
        assert Reflection.objects.get().text == "Calm first\nthen ask"

    def test_answers_saved_escaped_before_are_unescaped_once(self, course, learner):
        import importlib

        from django.apps import apps

        migration = importlib.import_module("courses.migrations.0006_reflections_as_typed")
        _, lessons = course
        block_id = reflection_id(lessons[0])
        old = Reflection.objects.create(
            user=learner, lesson=lessons[0], block_id=block_id, text="Listen &amp; wait &lt;3"
        )
        migration.unescape_reflections(apps, None)
        old.refresh_from_db()
        assert old.text == "Listen & wait <3"

    def test_editing_updates_the_same_answer_and_emptying_clears_it(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        client.post(save_url(lessons[0]), {"text": "First thought"})
        client.post(save_url(lessons[0]), {"text": "Second thought"})
        assert list(Reflection.objects.values_list("text", flat=True)) == ["Second thought"]
        client.post(save_url(lessons[0]), {"text": "   "})
        assert not Reflection.objects.exists()

    def test_another_learner_never_sees_it(self, client, course, learner, make_user):
        _, lessons = course
        client.force_login(learner)
        client.post(save_url(lessons[0]), {"text": "My private worry"})
        other = make_user("other@example.org")
        client.force_login(other)
        assert b"My private worry" not in client.get(lessons[0].url).content
        client.logout()
        assert b"My private worry" not in client.get(lessons[0].url).content

    def test_too_long_is_refused_with_a_message(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        response = client.post(save_url(lessons[0]), {"text": "x" * 5001}, follow=True)
        assert b"too long" in response.content
        assert not Reflection.objects.exists()

    def test_get_is_not_allowed(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        assert client.get(save_url(lessons[0])).status_code == 405

    def test_anonymous_is_sent_to_login(self, client, course):
        _, lessons = course
        response = client.post(save_url(lessons[0]), {"text": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not Reflection.objects.exists()

    def test_unknown_prompt_or_lesson_is_404(self, client, course, learner):
        _, lessons = course
        client.force_login(learner)
        assert client.post(save_url(lessons[0], "not-a-block"), {"text": "x"}).status_code == 404
        missing = reverse("courses:save_reflection", args=[999999, reflection_id(lessons[0])])
        assert client.post(missing, {"text": "x"}).status_code == 404
        assert not Reflection.objects.exists()

    def test_unpublished_lesson_is_404(self, client, course, learner):
        _, lessons = course
        lessons[0].unpublish()
        client.force_login(learner)
        assert client.post(save_url(lessons[0]), {"text": "x"}).status_code == 404

    def test_csrf_is_enforced(self, course, learner):
        from django.test import Client

        _, lessons = course
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        assert client.post(save_url(lessons[0]), {"text": "x"}).status_code == 403
        assert not Reflection.objects.exists()
