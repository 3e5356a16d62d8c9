"""Item analysis: Moodle's quiz statistics, checked against figures worked out by hand."""

import csv
import io
import math
import random

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import analysis, services
from quizzes.admin_views import analysis_url, neutralise
from quizzes.models import Attempt, AttemptStatus

# --- pure functions on plain rows --------------------------------------------------------
#
# Five attempts (ids 1-5) at three questions worth 1 mark each, strongest learner first:
#
#   attempt  Q1 (single)  Q2 (multiple)  Q3 (true/false)  total
#   1        a  -> 1      x,y -> 1       t -> 1           3
#   2        a  -> 1      x,y -> 1       f -> 0           2
#   3        a  -> 1      x,y -> 1       f -> 0           2
#   4        b  -> 0      x   -> 0       t -> 1           1
#   5        (blank) 0    x,z -> 0       f -> 0           0
#
# Correct choices: a (Q1); x and y (Q2); t (Q3). Q3 is answered right by one strong and one
# weak learner, so it discriminates badly.
Q1, Q2, Q3 = 101, 102, 103
A, B, C, X, Y, Z, T, F = 11, 12, 13, 21, 22, 23, 31, 32

ROWS = [
    (1, Q1, [A], 1.0, 1.0),
    (1, Q2, [X, Y], 1.0, 1.0),
    (1, Q3, [T], 1.0, 1.0),
    (2, Q1, [A], 1.0, 1.0),
    (2, Q2, [X, Y], 1.0, 1.0),
    (2, Q3, [F], 0.0, 1.0),
    (3, Q1, [A], 1.0, 1.0),
    (3, Q2, [Y, X], 1.0, 1.0),
    (3, Q3, [F], 0.0, 1.0),
    (4, Q1, [B], 0.0, 1.0),
    (4, Q2, [X], 0.0, 1.0),
    (4, Q3, [T], 1.0, 1.0),
    (5, Q1, [], 0.0, 1.0),
    (5, Q2, [X, Z], 0.0, 1.0),
    (5, Q3, [F], 0.0, 1.0),
]

LABELS = {
    Q1: {
        "text": "Q1 single",
        "choices": [
            {"id": A, "text": "a", "correct": True},
            {"id": B, "text": "b", "correct": False},
            {"id": C, "text": "c", "correct": False},
        ],
    },
    Q2: {
        "text": "Q2 multiple",
        "choices": [
            {"id": X, "text": "x", "correct": True},
            {"id": Y, "text": "y", "correct": True},
            {"id": Z, "text": "z", "correct": False},
        ],
    },
    Q3: {
        "text": "Q3 true/false",
        "choices": [
            {"id": T, "text": "t", "correct": True},
            {"id": F, "text": "f", "correct": False},
        ],
    },
}


def by_id(result):
    return {q.question_id: q for q in result.questions}


def rates(question):
    return {c.choice_id: round(c.rate, 6) for c in question.choices}


class TestItemStatistics:
    def test_facility_and_standard_deviation(self):
        questions = by_id(analysis.analyse(ROWS, labels=LABELS))
        # Q1 and Q2: 3 of 5 right -> F = 3/5 × 100 = 60%. Q3: 2 of 5 -> 40%.
        assert [questions[q].facility for q in (Q1, Q2, Q3)] == pytest.approx([60, 60, 40])
        # Q1: mean 0.6, deviations 0.4 ×3 and -0.6 ×2; squares 3 × 0.16 + 2 × 0.36 = 1.2;
        # sample variance 1.2 / (5 - 1) = 0.3; SD √0.3 = 0.547723 -> 54.77%.
        # Q3: mean 0.4, deviations 0.6 ×2, -0.4 ×3; squares 0.72 + 0.48 = 1.2: the same.
        for q in (Q1, Q2, Q3):
            assert questions[q].sd == pytest.approx(100 * math.sqrt(0.3))
            assert questions[q].attempts == 5

    def test_discrimination_against_the_rest_of_the_test(self):
        questions = by_id(analysis.analyse(ROWS, labels=LABELS))
        # Q1: item x = 1,1,1,0,0; rest = total - x = 2,1,1,1,0.
        #   means 0.6 and 1.0; dx = .4,.4,.4,-.6,-.6; dy = 1,0,0,0,-1.
        #   Sxy = .4 + .6 = 1.0; Sxx = 1.2; Syy = 2; r = 1 / √2.4 = 0.645497 -> 64.55.
        assert questions[Q1].discrimination == pytest.approx(100 / math.sqrt(2.4))
        # Q2 has the same scores as Q1, so the same index.
        assert questions[Q2].discrimination == pytest.approx(100 / math.sqrt(2.4))
        # Q3: x = 1,0,0,1,0; rest = 2,2,2,0,0; means 0.4 and 1.2.
        #   dx = .6,-.4,-.4,.6,-.4; dy = .8,.8,.8,-1.2,-1.2.
        #   Sxy = .48 - .32 - .32 - .72 + .48 = -0.4; Sxx = 1.2; Syy = 3 × .64 + 2 × 1.44 = 4.8
        #   r = -0.4 / √(1.2 × 4.8) = -0.4 / 2.4 = -1/6 -> -16.67: negative, check the key.
        assert questions[Q3].discrimination == pytest.approx(-100 / 6)

    def test_choice_selection_rates(self):
        questions = by_id(analysis.analyse(ROWS, labels=LABELS))
        # Q1: a by attempts 1-3 (3/5 = 60%), b by 4 (20%), c by none, 5 left it blank (20%).
        assert rates(questions[Q1]) == {A: 60.0, B: 20.0, C: 0.0}
        assert questions[Q1].unanswered == 1 and questions[Q1].unanswered_rate == 20.0
        # Q2 (several answers): x by all five (100%), y by 1-3 (60%), z by 5 (20%).
        assert rates(questions[Q2]) == {X: 100.0, Y: 60.0, Z: 20.0}
        # Q3: t by 1 and 4 (40%), f by 2, 3, 5 (60%).
        assert rates(questions[Q3]) == {T: 40.0, F: 60.0}
        assert [c.correct for c in questions[Q2].choices] == [True, True, False]
        assert [c.text for c in questions[Q1].choices] == ["a", "b", "c"]
        assert questions[Q1].text == "Q1 single"

    def test_whole_test_summary_and_cronbach_alpha(self):
        test = analysis.analyse(ROWS, labels=LABELS).test
        # Totals 3,2,2,1,0 of 3 -> 100, 66.67, 66.67, 33.33, 0 %.
        # Mean 8/15 = 53.33%; median 66.67%.
        assert test.attempts == 5
        assert test.mean == pytest.approx(800 / 15)
        assert test.median == pytest.approx(200 / 3)
        # Totals: mean 1.6, deviations 1.4,.4,.4,-.6,-1.6; squares 1.96 + .16 + .16 + .36
        # + 2.56 = 5.2; variance 5.2/4 = 1.3; SD √1.3 marks = √1.3/3 × 100 = 38.01%.
        assert test.sd == pytest.approx(100 * math.sqrt(1.3) / 3)
        # Each item's variance is 0.3 (above), so Σ = 0.9.
        # alpha = k/(k-1) × (1 - Σ/var(total)) = 3/2 × (1 - 0.9/1.3) = 1.5 × 0.4/1.3 = 6/13.
        assert test.alpha == pytest.approx(6 / 13)
        assert (test.alpha_attempts, test.alpha_items, test.alpha_note) == (5, 3, "")

    def test_partial_credit_and_undefined_discrimination(self):
        rows = [
            (1, Q1, [A], 1.0, 1.0),
            (2, Q1, [A, B], 0.5, 1.0),
            (3, Q1, [B], 0.5, 1.0),
            (4, Q1, [C], 0.0, 1.0),
        ]
        (question,) = analysis.analyse(rows).questions
        # Scores 1, .5, .5, 0: F = 2/4 = 50%. Deviations .5,0,0,-.5: variance .5/3;
        # SD √(1/6) = 0.408248 -> 40.82%.
        assert question.facility == pytest.approx(50)
        assert question.sd == pytest.approx(100 * math.sqrt(1 / 6))
        # The only question: the rest of the test is 0 every time, r is undefined.
        assert question.discrimination is None
        # One question: alpha is undefined too.
        assert analysis.analyse(rows).test.alpha is None

    def test_undefined_for_a_single_attempt_or_no_variance(self):
        one = analysis.analyse([(1, Q1, [A], 1.0, 1.0), (1, Q2, [X], 0.0, 1.0)])
        assert all(q.sd is None and q.discrimination is None for q in one.questions)
        assert one.test.sd is None and one.test.alpha is None
        # Everyone right on Q1: zero variance, so no correlation.
        same = [(n, Q1, [A], 1.0, 1.0) for n in (1, 2, 3)] + [
            (1, Q2, [X], 1.0, 1.0),
            (2, Q2, [X], 0.0, 1.0),
            (3, Q2, [Y], 0.0, 1.0),
        ]
        questions = by_id(analysis.analyse(same))
        assert questions[Q1].facility == 100 and questions[Q1].sd == 0
        assert questions[Q1].discrimination is None
        assert analysis.analyse([]).test.mean is None

    def test_alpha_over_the_attempts_that_have_every_question(self):
        # A sixth attempt answered only Q1 and Q2 (Q3 was added to the quiz later): alpha
        # uses the five complete attempts, the same 6/13, and says so.
        rows = ROWS + [(6, Q1, [A], 1.0, 1.0), (6, Q2, [X, Y], 1.0, 1.0)]
        test = analysis.analyse(rows).test
        assert test.attempts == 6
        assert test.alpha == pytest.approx(6 / 13)
        assert test.alpha_attempts == 5
        assert "5 of 6" in test.alpha_note

    def test_no_alpha_when_no_two_attempts_share_every_question(self):
        # A random draw of 2 from 3 questions: no attempt has all three.
        rows = [
            (1, Q1, [A], 1, 1),
            (1, Q2, [X], 0, 1),
            (2, Q2, [Y], 1, 1),
            (2, Q3, [T], 1, 1),
            (3, Q1, [B], 0, 1),
            (3, Q3, [F], 0, 1),
        ]
        result = analysis.analyse(rows)
        assert result.test.alpha is None and "drawn at random" in result.test.alpha_note
        assert [q.attempts for q in result.questions] == [2, 2, 2]

    def test_first_attempt_per_learner(self):
        rows = [  # (id, user, number, status)
            (1, "ann", 1, "submitted"),
            (2, "ann", 2, "submitted"),
            (3, "bob", 1, "rejected"),
            (4, "bob", 2, "submitted"),
            (5, "bob", 3, "submitted"),
            (6, "cat", 1, "in_progress"),
            (7, "dan", 2, "submitted"),
        ]
        # Bob's first *submitted* attempt is number 2; Cat has none; Dan's lowest is 2.
        assert analysis.select_attempts(rows) == {1, 4, 7}
        assert analysis.select_attempts(rows, first_only=False) == {1, 2, 4, 5, 7}

    def test_labels_come_from_the_latest_snapshot(self):
        old = [
            {
                "id": Q1,
                "text": "Old wording",
                "choices": [
                    {"id": A, "text": "a", "correct": True},
                    {"id": C, "text": "removed", "correct": False},
                ],
            }
        ]
        new = [
            {
                "id": Q1,
                "text": "New wording",
                "choices": [
                    {"id": A, "text": "a (new)", "correct": True},
                    {"id": B, "text": "b", "correct": False},
                ],
            }
        ]
        labels = analysis.labels_from_snapshots([(9, new), (3, old)])
        assert labels[Q1]["text"] == "New wording"
        assert [(c["id"], c["text"]) for c in labels[Q1]["choices"]] == [
            (A, "a (new)"),
            (B, "b"),
            (C, "removed"),
        ]
        rows = [(3, Q1, [C], 0, 1), (9, Q1, [A], 1, 1), (5, Q1, [B], 0, 1)]
        # The latest attempt showing Q1 is 9, and the latest that chose C is 3.
        assert analysis.snapshots_to_fetch(rows) == {9, 3, 5}


# --- against the database ----------------------------------------------------------------


def sit(user, quiz, pattern, status=None, rng=None):
    """Start and submit an attempt; pattern[i] True: right, False: wrong, None: blank."""
    attempt = services.start_attempt(user, quiz, rng=rng)
    answers = {}
    for question, right in zip(attempt.snapshot, pattern, strict=False):
        if right is None:
            continue
        correct = [c["id"] for c in question["choices"] if c["correct"]]
        wrong = [c["id"] for c in question["choices"] if not c["correct"]]
        answers[question["id"]] = correct if right else wrong[:1]
    services.submit_attempt(attempt, answers)
    if status:
        Attempt.objects.filter(pk=attempt.pk).update(status=status)
    return attempt


@pytest.fixture
def quiz(db):
    from tests import factories

    return factories.make_quiz(title="Indicators quiz", review_before_submit=False)


@pytest.fixture
def learners(make_user):
    return [make_user(f"learner{n}@example.org") for n in range(5)]


@pytest.fixture
def sat(quiz, learners):
    """The five attempts of the hand-worked table (Q1, Q2, Q3 in the quiz's order)."""
    patterns = [(1, 1, 1), (1, 1, 0), (1, 1, 0), (0, 0, 1), (None, 0, 0)]
    for user, pattern in zip(learners, patterns, strict=True):
        sit(user, quiz, [None if p is None else bool(p) for p in pattern])
    return quiz


class TestAnalyseQuiz:
    def test_figures_from_real_attempts(self, sat):
        result = analysis.analyse_quiz(sat)
        assert [q.text for q in result.questions] == [
            "Which is an indicator of control?",
            "A child can consent to their own exploitation.",
            "Which are signs of grooming? Choose all that apply.",
        ]
        first, second, third = result.questions
        assert [q.facility for q in result.questions] == pytest.approx([60, 60, 40])
        assert first.discrimination == pytest.approx(100 / math.sqrt(2.4))
        assert third.discrimination == pytest.approx(-100 / 6)
        assert result.test.alpha == pytest.approx(6 / 13)
        # Q1: the correct choice by 3 of 5, the first wrong one by 1, one blank.
        assert [(c.correct, c.rate) for c in first.choices] == [
            (True, 60.0),
            (False, 20.0),
            (False, 0.0),
        ]
        assert first.unanswered == 1

    def test_first_attempts_by_default_or_all(self, sat, learners):
        # The weakest learner tries again and gets everything right.
        sit(learners[4], sat, [True, True, True])
        first = analysis.analyse_quiz(sat)
        every = analysis.analyse_quiz(sat, first_only=False)
        assert first.test.attempts == 5 and first.test.mean == pytest.approx(800 / 15)
        assert every.test.attempts == 6
        # Totals 3,2,2,1,0,3 of 3: mean 11/18 = 61.11%.
        assert every.test.mean == pytest.approx(100 * 11 / 18)
        assert every.questions[0].facility == pytest.approx(100 * 4 / 6)

    def test_rejected_and_in_progress_attempts_are_left_out(self, sat, make_user):
        late = make_user("late@example.org")
        sit(late, sat, [True, True, True], status=AttemptStatus.REJECTED)
        sit(late, sat, [False, False, False])  # the first *submitted* attempt: counts
        services.start_attempt(make_user("busy@example.org"), sat)  # still in progress
        result = analysis.analyse_quiz(sat)
        assert result.test.attempts == 6
        assert result.questions[0].facility == pytest.approx(50)  # 3 of 6
        assert analysis.analyse_quiz(sat, first_only=False).test.attempts == 6

    def test_questions_drawn_at_random(self, make_user):
        from tests import factories

        quiz = factories.make_quiz(
            questions=[
                ("single", f"Pool question {n}", [("right", True), ("wrong", False)])
                for n in range(5)
            ],
            questions_to_draw=3,
        )
        for n in range(8):
            sit(
                make_user(f"drawn{n}@example.org"),
                quiz,
                [n % 2 == 0, True, n % 3 == 0],
                rng=random.Random(n),
            )
        result = analysis.analyse_quiz(quiz)
        assert result.test.attempts == 8
        # Each attempt had 3 of the 5 questions; each question counts only its own attempts.
        assert sum(q.attempts for q in result.questions) == 24
        assert all(q.attempts < 8 for q in result.questions)
        for question in result.questions:
            assert question.text.startswith("Pool question")
            assert sum(c.rate for c in question.choices) == pytest.approx(100)
        assert result.test.alpha is None and result.test.alpha_note

    def test_removed_question_keeps_its_figures_and_wording(self, sat):
        removed = sat.questions.get(text__startswith="Which is an indicator")
        removed.delete()
        result = analysis.analyse_quiz(sat)
        assert len(result.questions) == 3
        last = result.questions[-1]  # questions no longer in the quiz come last
        assert (last.text, last.in_quiz, last.facility) == (
            "Which is an indicator of control?",
            False,
            pytest.approx(60),
        )
        assert [c.text for c in last.choices][0] == "Someone else holds their passport"

    def test_constant_number_of_queries(self, quiz, make_user):
        counts = []
        for size in (5, 50):
            for n in range(size - Attempt.objects.count()):
                sit(make_user(f"many{size}-{n}@example.org"), quiz, [n % 2 == 0, n % 3 == 0, True])
            with CaptureQueriesContext(connection) as captured:
                result = analysis.analyse_quiz(quiz)
            assert result.test.attempts == size
            counts.append(len(captured))
        assert counts[0] == counts[1] <= 4

    def test_no_attempts(self, quiz, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            result = analysis.analyse_quiz(quiz)
        assert result.test.attempts == 0 and result.questions == []


# --- the admin report ----------------------------------------------------------------------


class TestQuizAnalysisView:
    def test_superuser_sees_the_figures(self, admin_client, sat):
        response = admin_client.get(analysis_url(sat))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Which is an indicator of control?" in html
        assert "60.0%" in html and "64.5%" in html and "-16.7%" in html  # facility, discr.
        assert "0.46" in html  # alpha 6/13
        assert "✓ Someone else holds their passport" in html
        assert 'aria-current="page">First attempts only' in html
        every = admin_client.get(analysis_url(sat, all_attempts=True)).content.decode()
        assert 'aria-current="page">All attempts' in every

    def test_admin_user_without_change_quiz_is_denied(self, client, sat, make_user):
        """Admin access alone (Editors now have change_quiz) does not open the report."""
        editor = make_user("staff@example.org")
        editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(editor)
        response = client.get(analysis_url(sat))
        assert response.status_code in (302, 403)
        assert b"indicator of control" not in response.content
        csv_response = client.get(analysis_url(sat) + "?export=csv")
        assert csv_response.status_code in (302, 403)
        assert "text/csv" not in csv_response.get("Content-Type", "")

    def test_editor_with_change_quiz_is_allowed(self, client, sat, make_user):
        editor = make_user("editor@example.org")
        editor.groups.add(Group.objects.get(name="Editors"))  # granted by 0002_quiz_workflow
        client.force_login(editor)
        assert client.get(analysis_url(sat)).status_code == 200

    def test_learners_are_sent_to_log_in(self, client, sat, learners):
        client.force_login(learners[0])
        response = client.get(analysis_url(sat))
        assert response.status_code == 302 and b"indicator" not in response.content

    def test_csv_download_neutralises_formulas(self, admin_client, make_user):
        from tests import factories

        quiz = factories.make_quiz(
            questions=[
                (
                    "single",
                    '=HYPERLINK("http://evil.example","Click")',
                    [("@SUM(1+1)", True), ("-2", False), ("fine", False)],
                )
            ],
        )
        sit(make_user("a@example.org"), quiz, [True])
        sit(make_user("b@example.org"), quiz, [False])
        response = admin_client.get(analysis_url(quiz), {"export": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:4] == ["question_id", "question", "in_quiz", "attempts"]
        assert len(rows) == 4  # header + 3 choices
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["question"] == '\'=HYPERLINK("http://evil.example","Click")'
        assert first["choice"] == "'@SUM(1+1)"
        assert first["correct"] == "True" and first["selected_percent"] == "50.0"
        assert first["facility_percent"] == "50.0"
        assert rows[2][rows[0].index("choice")] == "'-2"
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    def test_negative_numbers_stay_numbers_but_text_is_neutralised(self):
        assert neutralise(-16.67) == -16.67
        assert neutralise("+1") == "'+1" and neutralise("plain") == "plain"

    def test_quiz_listing_links_to_the_report(self, admin_client, sat):
        response = admin_client.get(reverse("wagtailsnippets_quizzes_quiz:list"))
        assert response.status_code == 200
        assert analysis_url(sat) in response.content.decode()

    def test_unknown_quiz_is_404(self, admin_client):
        assert admin_client.get(analysis_url(999999)).status_code == 404
