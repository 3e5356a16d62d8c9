"""Questions tagged by jurisdiction: drawn only for learners who work there, kept on the
attempt, checked for pool size per jurisdiction, and a filter in item analysis."""

import random

import pytest
from django.urls import reverse

from quizzes import analysis, blueprints, services
from quizzes.admin_views import analysis_url
from quizzes.item_checks import check_blueprint, item_from_json
from quizzes.models import Attempt, Question
from tests import factories

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("single", "Shared one", [("Right", True), ("Wrong", False)]),
    ("single", "Shared two", [("Right", True), ("Wrong", False)]),
    ("single", "US only", [("Right", True), ("Wrong", False)]),
    ("single", "EU only", [("Right", True), ("Wrong", False)]),
    ("single", "US and England", [("Right", True), ("Wrong", False)]),
]
CODES = {"US only": "us", "EU only": "eu", "US and England": "us, England-Wales"}


def tagged_quiz(**settings):
    quiz = factories.make_quiz(questions=QUESTIONS, review_before_submit=False, **settings)
    for text, codes in CODES.items():
        Question.objects.filter(quiz=quiz, text=text).update(jurisdictions=codes)
    return quiz


def texts(attempt):
    return {question["text"] for question in attempt.snapshot}


class TestDraw:
    def test_a_us_learner_never_gets_an_eu_only_question(self, make_user):
        quiz = tagged_quiz(questions_to_draw=3)
        for n in range(12):
            user = make_user(f"us{n}@example.org")
            attempt = services.start_attempt(user, quiz, rng=random.Random(n), jurisdiction="us")
            assert "EU only" not in texts(attempt)
            assert texts(attempt) <= {"Shared one", "Shared two", "US only", "US and England"}

    def test_every_eligible_question_when_nothing_is_drawn(self, learner):
        quiz = tagged_quiz()
        attempt = services.start_attempt(learner, quiz, jurisdiction="england-wales")
        assert texts(attempt) == {"Shared one", "Shared two", "US and England"}

    def test_a_general_learner_gets_only_untagged_questions(self, make_user):
        quiz = tagged_quiz()
        for n, code in enumerate(("", "general", "GENERAL")):
            user = make_user(f"general{n}@example.org")
            attempt = services.start_attempt(user, quiz, jurisdiction=code)
            assert texts(attempt) == {"Shared one", "Shared two"}
            assert attempt.jurisdiction == ""

    def test_without_a_host_hook_learners_get_untagged_questions(self, learner, settings):
        settings.QUIZZES_LEARNER_JURISDICTION = None
        attempt = services.start_attempt(learner, tagged_quiz())
        assert texts(attempt) == {"Shared one", "Shared two"}

    def test_the_attempt_keeps_the_jurisdiction_and_the_snapshot_the_codes(self, learner):
        quiz = tagged_quiz()
        attempt = services.start_attempt(learner, quiz, jurisdiction="US")
        attempt.refresh_from_db()
        assert attempt.jurisdiction == "us"
        by_text = {q["text"]: q for q in attempt.snapshot}
        assert by_text["US and England"]["jurisdictions"] == ["us", "england-wales"]
        assert by_text["Shared one"]["jurisdictions"] == []


class TestSmallPoolPerJurisdiction:
    def test_warns_when_a_jurisdictions_pool_cannot_satisfy_the_blueprint(self):
        rows = [("duties", 2)]
        tag_lists = [["duties"], ["duties"], ["duties"], ["duties"]]
        jurisdiction_lists = [[], ["us"], ["us"], ["eu"]]
        found = [str(f) for f in check_blueprint(rows, tag_lists, jurisdiction_lists)]
        # general: 1 eligible; eu: 2 (fine); us: 3 (fine).
        assert len(found) == 1
        assert "general" in found[0] and "1 eligible questions for 2 drawn" in found[0]

    def test_warns_when_a_jurisdiction_has_fewer_questions_than_are_drawn(self):
        tag_lists = [[]] * 5
        jurisdiction_lists = [[], [], [], ["us"], ["eu"]]
        found = [str(f) for f in check_blueprint([], tag_lists, jurisdiction_lists, 4)]
        # general: 3 eligible; eu and us: 4 each.
        assert found == [
            "The pool (jurisdiction general): A blueprint tag has too few questions "
            "(3 eligible questions for 4 drawn)"
        ]

    def test_untagged_pools_are_checked_as_before(self):
        assert check_blueprint([("duties", 1)], [["duties"], ["duties"]], [[], []]) == []

    def test_the_quiz_editor_check_uses_the_questions_codes(self):
        from quizzes.item_checks import check_quiz

        quiz = tagged_quiz(questions_to_draw=3)
        found = [str(f) for f in check_quiz(quiz)]
        # general: 2 eligible; eu: 3; us: 4; england-wales: 3.
        assert any("general" in f and "2 eligible questions for 3 drawn" in f for f in found)
        assert not any("jurisdiction us" in f for f in found)

    def test_item_from_json_reads_the_codes(self):
        item = item_from_json(
            {
                "type": "single",
                "text": "Who do you tell?",
                "jurisdictions": ["US", " eu "],
                "tags": ["duties"],
                "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": False}],
            },
            1,
        )
        assert item.jurisdictions == ("us", "eu")
        assert item.tags == ("duties",)
        assert blueprints.eligible([list(item.jurisdictions), []], "us") == [True, True]
        assert blueprints.eligible([list(item.jurisdictions), []], "") == [False, True]


def sit(user, quiz, jurisdiction, right):
    attempt = services.start_attempt(user, quiz, jurisdiction=jurisdiction)
    answers = {}
    for question in attempt.snapshot:
        wanted = [c["id"] for c in question["choices"] if c["correct"] is right]
        answers[question["id"]] = wanted[:1]
    services.submit_attempt(attempt, answers)
    return attempt


class TestAnalysisFilter:
    @pytest.fixture
    def sat(self, make_user):
        quiz = tagged_quiz()
        sit(make_user("a@example.org"), quiz, "us", True)
        sit(make_user("b@example.org"), quiz, "us", True)
        sit(make_user("c@example.org"), quiz, "eu", False)
        sit(make_user("d@example.org"), quiz, "", False)
        return quiz

    def test_the_analysis_keeps_only_the_chosen_jurisdiction(self, sat):
        assert analysis.jurisdictions_in_attempts(sat) == ["", "eu", "us"]
        assert analysis.analyse_quiz(sat).test.attempts == 4
        us = analysis.analyse_quiz(sat, jurisdiction="us")
        assert us.test.attempts == 2 and us.test.mean == pytest.approx(100)
        general = analysis.analyse_quiz(sat, jurisdiction="")
        assert general.test.attempts == 1 and general.test.mean == pytest.approx(0)

    def test_the_report_offers_and_applies_the_filter(self, admin_client, sat):
        page = admin_client.get(analysis_url(sat)).content.decode()
        assert 'name="jurisdiction"' in page
        assert '<option value="us">us</option>' in page
        assert '<option value="general">General (no jurisdiction)</option>' in page
        filtered = admin_client.get(analysis_url(sat), {"jurisdiction": "us"})
        assert filtered.status_code == 200
        assert filtered.context["analysis"].test.attempts == 2
        assert '<option value="us" selected>us</option>' in filtered.content.decode()
        csv = admin_client.get(analysis_url(sat), {"jurisdiction": "eu", "export": "csv"})
        assert csv.status_code == 200 and b"EU only" in csv.content

    def test_a_jurisdiction_without_attempts_is_a_bad_request(self, admin_client, sat):
        response = admin_client.get(analysis_url(sat), {"jurisdiction": "mars"})
        assert response.status_code == 400


class TestContentNote:
    def test_shown_before_starting_and_during_the_attempt(self, client, learner):
        quiz = tagged_quiz(content_note="This quiz includes short scenarios about grooming.")
        client.force_login(learner)
        detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
        assert "This quiz includes short scenarios about grooming." in detail
        client.post(reverse("quizzes:start", args=[quiz.pk]))
        attempt = Attempt.objects.get(user=learner)
        page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
        assert "This quiz includes short scenarios about grooming." in page

    def test_no_note_no_box(self, client, learner):
        quiz = tagged_quiz()
        client.force_login(learner)
        detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
        assert "Content note" not in detail
