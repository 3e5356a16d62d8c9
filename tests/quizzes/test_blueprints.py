"""Blueprinted draws: a number of questions per tag, so every attempt covers every topic."""

import random

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from quizzes import blueprints, services
from quizzes.models import Choice, Question, Quiz, QuizBlueprintRow

pytestmark = pytest.mark.django_db

TAGS = ["definition", "indicators", "non-punishment", "csam", "referral"]


def make_blueprinted_quiz(rows, per_tag=4, questions_to_draw=10, **rules):
    """A live quiz with `per_tag` questions for each of TAGS, and the given blueprint rows."""
    quiz = Quiz(title="Final assessment", questions_to_draw=questions_to_draw, **rules)
    position = 0
    for tag in TAGS:
        for n in range(per_tag):
            question = Question(
                kind="single", text=f"{tag} {n}", tags=tag, sort_order=position, explanation="."
            )
            question.choices = [
                Choice(text=f"Option {m}", is_correct=m == 0, sort_order=m) for m in range(3)
            ]
            quiz.questions.add(question)
            position += 1
    quiz.blueprint = [
        QuizBlueprintRow(tag=tag, count=count, sort_order=n) for n, (tag, count) in enumerate(rows)
    ]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


class TestBlueprintDraw:
    def test_every_attempt_covers_every_tag(self):
        quiz = make_blueprinted_quiz([(tag, 2) for tag in TAGS])
        seen = set()
        for seed in range(200):
            drawn = services.draw_questions(quiz, random.Random(seed))
            counts = {tag: sum(q.tag_list == [tag] for q in drawn) for tag in TAGS}
            assert counts == dict.fromkeys(TAGS, 2), seed
            seen.add(tuple(q.pk for q in drawn))
        assert len(seen) > 100  # attempts differ

    def test_the_draw_is_deterministic_under_the_rng(self):
        quiz = make_blueprinted_quiz([(tag, 1) for tag in TAGS], shuffle_questions=True)
        first = [q.pk for q in services.draw_questions(quiz, random.Random(7))]
        again = [q.pk for q in services.draw_questions(quiz, random.Random(7))]
        assert first == again and len(first) == 10

    def test_the_rest_of_the_draw_comes_from_the_whole_pool(self):
        quiz = make_blueprinted_quiz([("non-punishment", 2), ("csam", 1)], questions_to_draw=6)
        for seed in range(50):
            drawn = services.draw_questions(quiz, random.Random(seed))
            tags = [q.tag_list[0] for q in drawn]
            assert len(drawn) == 6 and len({q.pk for q in drawn}) == 6
            assert tags.count("non-punishment") >= 2 and tags.count("csam") >= 1

    def test_no_questions_to_draw_means_the_blueprint_total(self):
        quiz = make_blueprinted_quiz([("referral", 3)], questions_to_draw=0)
        drawn = services.draw_questions(quiz, random.Random(1))
        assert [q.tag_list for q in drawn] == [["referral"]] * 3

    def test_a_question_with_two_blueprint_tags_counts_for_the_first_row(self):
        rows = [("csam", 1), ("digital evidence", 1)]
        tag_lists = [["digital evidence", "csam"], ["digital evidence"], ["digital evidence"]]
        assert [(r.tag, r.pool) for r in blueprints.pools(rows, tag_lists)] == [
            ("csam", 1),
            ("digital evidence", 2),
        ]


class TestBlueprintValidation:
    def test_over_asking_a_tag_is_an_error(self):
        problems = blueprints.errors([("csam", 3)], [["csam"], ["csam"], ["other"]], 0)
        assert problems == [(0, "“csam” asks for 3 questions but its pool holds 2.")]

    def test_a_blueprint_larger_than_the_draw_is_an_error(self):
        problems = blueprints.errors([("a", 2), ("b", 2)], [["a"]] * 2 + [["b"]] * 2, 3)
        assert problems == [(None, "The blueprint asks for 4 questions but the quiz draws 3.")]

    def test_a_repeated_tag_is_an_error(self):
        problems = blueprints.errors([("a", 1), ("A ", 1)], [["a"]] * 3, 0)
        assert problems == [(1, "The tag “a” is already in the blueprint.")]

    def test_pool_no_bigger_than_the_count_is_flagged(self):
        rows = blueprints.pools([("a", 2), ("b", 1)], [["a"], ["a"], ["b"], ["b"]])
        assert [row.too_small for row in rows] == [True, False]


def editor_form(rows, questions_to_draw=2):
    return nested_form_data(
        {
            "title": "Blueprinted quiz",
            "intro": "",
            "pass_mark": 80,
            "attempts_allowed": 0,
            "cooldown_minutes": 0,
            "questions_to_draw": questions_to_draw,
            "time_limit_minutes": 0,
            "late_policy": "flag",
            "feedback_mode": "key_when_done",
            "blueprint": inline_formset([{"tag": tag, "count": count} for tag, count in rows]),
            "questions": inline_formset(
                [
                    {
                        "kind": "single",
                        "scoring": "all_or_nothing",
                        "vignette": "",
                        "text": f"A question about {tag}?",
                        "explanation": "Because.",
                        "tags": tag,
                        "choices": inline_formset(
                            [
                                {"text": "First answer", "is_correct": "on", "feedback": ""},
                                {"text": "Second answer", "feedback": ""},
                                {"text": "Third answer", "feedback": ""},
                            ]
                        ),
                    }
                    for tag in ["csam", "csam", "referral"]
                ]
            ),
        }
    )


class TestBlueprintInTheEditor:
    def test_saves_a_blueprint(self, admin_client):
        url = reverse("wagtailsnippets_quizzes_quiz:add")
        response = admin_client.post(url, editor_form([("csam", 1), ("referral", 1)]))
        assert response.status_code == 302
        quiz = Quiz.objects.get(title="Blueprinted quiz")
        assert [(r.tag, r.count) for r in quiz.blueprint.all()] == [("csam", 1), ("referral", 1)]

    def test_over_asking_is_refused_with_the_pool_size(self, admin_client):
        url = reverse("wagtailsnippets_quizzes_quiz:add")
        response = admin_client.post(url, editor_form([("csam", 3)], questions_to_draw=3))
        assert response.status_code == 200
        assert "asks for 3 questions but its pool holds 2" in response.content.decode()
        assert not Quiz.objects.filter(title="Blueprinted quiz").exists()

    def test_the_edit_page_shows_pool_sizes_and_warns_about_a_small_pool(self, admin_client):
        quiz = make_blueprinted_quiz([("csam", 4), ("referral", 1)], questions_to_draw=5)
        url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
        html = admin_client.get(url).content.decode()
        assert "Blueprint: questions per tag" in html
        assert "too few to make attempts differ" in html
        assert 'data-check="small-pool"' in html
        assert html.count("too few to make attempts differ") == 1  # referral: 4 for 1 is fine
