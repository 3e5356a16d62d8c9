"""Item-writing checks: each fires on a crafted bad question and not on a good one; they show
in the quiz editor and never block saving; the demo curriculum's quizzes pass them."""

import json
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quizzes import blueprints
from quizzes.analysis import QuestionStats
from quizzes.item_checks import (
    Item,
    check_blueprint,
    check_item,
    check_items,
    check_pool,
    check_statistics,
    item_from_json,
)
from tests import factories

GOOD = Item(
    text="Which of these is an indicator that someone may be under a third party's control?",
    kind="single",
    explanation="Someone else holding documents is a common control indicator.",
    choices=(
        ("Someone else holds their passport and bank card", True),
        ("They are nervous when speaking to the police", False),
        ("They have recently moved to a new city for work", False),
    ),
)


def codes(item):
    return [finding.code for finding in check_item(item)]


def variant(**fields):
    return Item(**{**GOOD.__dict__, **fields})


class TestEachCheck:
    def test_a_good_question_passes_every_check(self):
        assert codes(GOOD) == []

    def test_keyed_answer_clearly_the_longest(self):
        bad = variant(
            choices=(
                ("Someone else holds their passport and bank card and answers for them", True),
                ("They are nervous", False),
                ("They own a phone", False),
            )
        )
        assert codes(bad) == ["longest-key"]

    def test_a_slightly_longer_key_is_fine(self):
        # 1.5 times as long but only 12 characters longer: not "clearly".
        fine = variant(choices=(("x" * 36, True), ("y" * 24, False), ("z" * 20, False)))
        assert codes(fine) == []

    def test_fewer_than_three_options(self):
        bad = variant(
            choices=(("Someone else holds their passport", True), ("They own a phone", False))
        )
        assert codes(bad) == ["few-options"]
        assert codes(variant(kind="true_false", choices=(("True", True), ("False", False)))) == []

    @pytest.mark.parametrize("text", ["All of the above", "None of the above."])
    def test_all_or_none_of_the_above(self, text):
        bad = variant(choices=(*GOOD.choices, (text, False)))
        assert codes(bad) == ["all-none-above"]

    @pytest.mark.parametrize(
        "stem",
        [
            "Which of these is not an indicator?",
            "All are indicators except:",
            "What shouldn't you do?",
        ],
    )
    def test_negative_stem_without_emphasis(self, stem):
        assert codes(variant(text=stem)) == ["negative-stem"]

    @pytest.mark.parametrize(
        "stem",
        [
            "Which of these is NOT an indicator?",
            "All are indicators EXCEPT:",
            "Which is <strong>not</strong> an indicator?",
            "A child says “Don't tell anyone.” What is the best reply?",
            "Why might a person not see themselves as a victim?",
        ],
    )
    def test_emphasised_or_quoted_negatives_are_fine(self, stem):
        assert codes(variant(text=stem)) == []

    def test_identical_options_ignoring_case_and_spaces(self):
        bad = variant(
            choices=(*GOOD.choices, ("they are NERVOUS  when speaking to the police", False))
        )
        assert codes(bad) == ["identical-options"]

    def test_no_explanation(self):
        assert codes(variant(explanation="  ")) == ["no-explanation"]

    def test_keyed_answers_in_the_same_position(self):
        first = variant(choices=(("Right", True), ("Wrong one", False), ("Wrong two", False)))
        second = variant(choices=(("Wrong one", False), ("Right", True), ("Wrong two", False)))
        bad = [first] * 4 + [second]
        assert [f.code for f in check_pool(bad)] == ["key-position"]
        assert check_pool(bad, shuffle_choices=True) == []
        assert check_pool([first] * 3 + [second] * 2) == []  # 60% is not "more than 60%"
        assert check_pool([first] * 4) == []  # fewer than 5 questions

    def test_item_analysis_negative_discrimination_and_facility(self):
        def stats(facility, discrimination, attempts=20):
            return QuestionStats(1, "Q", attempts, facility, 10.0, discrimination)

        found = check_statistics([stats(50, -12.0), stats(97, 30.0), stats(60, 25.0)])
        assert [f.code for f in found] == ["negative-discrimination", "too-easy"]
        assert check_statistics([stats(99, -50.0, attempts=3)]) == []  # not enough data yet
        assert check_statistics([stats(None, None)]) == []

    def test_small_blueprint_pool(self):
        found = check_blueprint([("csam", 2), ("referral", 1)], [["csam"]] * 2 + [["referral"]] * 3)
        assert [(f.code, f.subject) for f in found] == [("small-pool", "“csam”")]

    def test_findings_name_the_question_and_link_to_the_guide(self, settings):
        settings.QUIZZES_AUTHORING_GUIDE_URL = "https://example.org/docs/authoring"
        finding = check_item(variant(explanation="", label="Question 2"))[0]
        assert str(finding) == "Question 2: No explanation"
        assert finding.guide_url == "https://example.org/docs/authoring#no-explanation"


class TestGuideAnchors:
    def test_every_check_links_to_a_section_of_the_authoring_guide(self):
        from quizzes.item_checks import GUIDE_ANCHORS

        guide = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text()
        headings = {
            "-".join(
                "".join(
                    ch for ch in line.lstrip("#").strip().lower() if ch.isalnum() or ch in " -"
                ).split()
            )
            for line in guide.splitlines()
            if line.startswith("#")
        }
        assert set(GUIDE_ANCHORS.values()) <= headings


CURRICULUM = Path(__file__).resolve().parents[2] / "fixtures" / "curriculum"


def demo_quizzes():
    """(name, quiz JSON, shuffles choices) for every quiz in the demo curriculum."""
    for path in sorted(CURRICULUM.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("quiz"):
            yield f"{path.stem}: {data['title']}", data["quiz"], False
        for module in data.get("modules", []):
            if module.get("quiz"):
                yield f"{path.stem}: {module['title']}", module["quiz"], False
        if data.get("final_assessment"):
            yield f"{path.stem}: final assessment", data["final_assessment"], True


class TestDemoCurriculum:
    def test_no_demo_question_triggers_a_check(self):
        found = []
        for name, quiz, shuffled in demo_quizzes():
            items = [item_from_json(q, n) for n, q in enumerate(quiz["questions"], start=1)]
            found += [f"{name}: {finding}" for finding in check_items(items, shuffled)]
        assert found == []

    def test_final_assessments_have_a_blueprint_covering_csam_handling(self):
        finals = [(name, quiz) for name, quiz, shuffled in demo_quizzes() if shuffled]
        assert len(finals) == 3
        for name, quiz in finals:
            rows = [(row["tag"], row["count"]) for row in quiz["blueprint"]]
            tag_lists = [blueprints.split_tags(", ".join(q["tags"])) for q in quiz["questions"]]
            assert blueprints.errors(rows, tag_lists, 10) == [], name
            assert check_blueprint(rows, tag_lists) == [], name
            assert "csam" in {blueprints.normalise_tag(tag) for tag, _count in rows}, name
            # Every question counts for some row: the blueprint covers the whole pool.
            assert None not in blueprints.assign(rows, tag_lists), name

    def test_the_police_final_assessment_always_includes_non_punishment(self):
        police = next(
            quiz for name, quiz, s in demo_quizzes() if name == "police: final assessment"
        )
        assert ("non-punishment", 1) in [(r["tag"], r["count"]) for r in police["blueprint"]]


@pytest.mark.django_db
class TestChecksInTheQuizEditor:
    @pytest.fixture
    def flawed_quiz(self):
        return factories.make_quiz(
            questions=[
                (
                    "single",
                    "Which of these is not an indicator?",
                    [("All of the above", True), ("They own a phone", False)],
                )
            ]
        )

    def test_warnings_show_on_the_edit_page(self, admin_client, flawed_quiz):
        url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[flawed_quiz.pk])
        html = admin_client.get(url).content.decode()
        assert "Item-writing checks:" in html
        for code in ("few-options", "all-none-above", "negative-stem"):
            assert f'data-check="{code}"' in html
        assert "docs/authoring.md#negative-stems-without-emphasis" in html

    def test_a_clean_quiz_says_so(self, admin_client):
        quiz = factories.make_quiz()
        url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
        html = admin_client.get(url).content.decode()
        assert "Item-writing checks: nothing to look at" in html

    def test_saving_still_works_with_warnings(self, admin_client, flawed_quiz):
        from tests.quizzes.test_admin import quiz_form

        url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[flawed_quiz.pk])
        form = quiz_form(**{"action-publish": "1"})
        form["questions-0-text"] = "Which element is needed only for adults?"
        form["questions-0-explanation"] = ""
        response = admin_client.post(url, form)
        assert response.status_code == 302
        flawed_quiz.refresh_from_db()
        assert flawed_quiz.title == "Module 1 check"
        warnings = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("Item-writing check" in m and "No explanation" in m for m in warnings), warnings
        assert any("Fewer than 3 options" in m for m in warnings)
