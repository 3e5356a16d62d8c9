"""The scorer, property-tested: bounded, full marks for the right answer, order-blind."""

from hypothesis import given
from hypothesis import strategies as st

from quizzes.models import QuestionKind, Scoring
from quizzes.scoring import score_question

KINDS = st.sampled_from([k.value for k in QuestionKind])
SCORINGS = st.sampled_from([s.value for s in Scoring])


@st.composite
def question(draw):
    n = draw(st.integers(min_value=2, max_value=6))
    kind = draw(KINDS)
    if kind == QuestionKind.MULTIPLE:
        flags = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))
    else:
        right = draw(st.integers(min_value=0, max_value=n - 1))
        flags = [i == right for i in range(n)]
    choices = list(zip(range(100, 100 + n), flags, strict=True))
    selected = draw(st.lists(st.sampled_from([c for c, _ in choices]), unique=True))
    return kind, draw(SCORINGS), choices, selected


@given(question())
def test_score_is_within_bounds(q):
    kind, scoring, choices, selected = q
    assert 0.0 <= score_question(kind, scoring, choices, selected) <= 1.0


@given(question())
def test_all_correct_scores_full_marks(q):
    kind, scoring, choices, _ = q
    correct = [cid for cid, ok in choices if ok]
    assert score_question(kind, scoring, choices, correct) == 1.0


@given(question(), st.randoms())
def test_order_of_choices_and_answers_does_not_matter(q, rnd):
    kind, scoring, choices, selected = q
    shuffled_choices = choices[:]
    rnd.shuffle(shuffled_choices)
    shuffled_selected = selected[:]
    rnd.shuffle(shuffled_selected)
    assert score_question(kind, scoring, choices, selected) == score_question(
        kind, scoring, shuffled_choices, shuffled_selected
    )


def test_partial_credit_with_negative_marking_floored_at_zero():
    choices = [(1, True), (2, True), (3, False), (4, False)]
    assert score_question("multiple", "partial", choices, [1]) == 0.5
    assert score_question("multiple", "partial", choices, [1, 3]) == 0.0
    assert score_question("multiple", "partial", choices, [3, 4]) == 0.0
    assert score_question("multiple", "all_or_nothing", choices, [1]) == 0.0


def test_single_answer_with_two_choices_scores_nothing():
    choices = [(1, True), (2, False)]
    assert score_question("single", "all_or_nothing", choices, [1, 2]) == 0.0
    assert score_question("single", "all_or_nothing", choices, []) == 0.0
