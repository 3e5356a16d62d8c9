"""AttemptForm: the learner's answers are read through fields built from the attempt as shown."""

import pytest
from django.http import QueryDict

from quizzes import services
from quizzes.forms import AttemptForm, read_answers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(learner):
    return services.start_attempt(learner, factories.make_quiz())


def post_data(pairs):
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, str(value))
    return data


def by_kind(attempt, kind):
    return next(q for q in attempt.snapshot if q["kind"] == kind)


def test_one_typed_field_per_question_in_the_order_shown(attempt):
    form = AttemptForm(attempt)
    assert list(form.fields) == [f"q{q['id']}" for q in attempt.snapshot]


def test_correct_answers_come_back_as_ints(attempt):
    answers, errors = read_answers(
        attempt,
        post_data(
            (key, value)
            for key, values in factories.correct_answers(attempt).items()
            for value in values
        ),
    )
    assert errors == {}
    assert set(answers) == {q["id"] for q in attempt.snapshot}
    assert all(isinstance(c, int) for chosen in answers.values() for c in chosen)


@pytest.mark.parametrize("bad", ["abc", "", "1.5", "999999999999999999999999", "-1"])
def test_a_value_that_is_not_one_of_the_choices_is_an_error(attempt, bad):
    question = attempt.snapshot[0]
    answers, errors = read_answers(attempt, post_data([(f"q{question['id']}", bad)]))
    assert errors == {question["id"]: "Question 1: that answer is not valid."}
    assert question["id"] not in answers


def test_a_choice_of_another_question_is_an_error(attempt):
    first, second = attempt.snapshot[0], attempt.snapshot[1]
    foreign = second["choices"][0]["id"]
    _answers, errors = read_answers(attempt, post_data([(f"q{first['id']}", foreign)]))
    assert first["id"] in errors


def test_two_answers_to_a_single_answer_question_are_refused_not_cut_to_one(attempt):
    question = by_kind(attempt, "single")
    position = attempt.snapshot.index(question) + 1
    ids = [c["id"] for c in question["choices"]][:2]
    answers, errors = read_answers(attempt, post_data([(f"q{question['id']}", i) for i in ids]))
    assert errors == {question["id"]: f"Question {position}: choose one answer."}
    assert question["id"] not in answers


def test_a_repeated_choice_is_an_error_and_several_distinct_ones_are_fine(attempt):
    question = by_kind(attempt, "multiple")
    first, second = (c["id"] for c in question["choices"][:2])
    key = f"q{question['id']}"
    _answers, errors = read_answers(attempt, post_data([(key, first), (key, first)]))
    assert question["id"] in errors
    answers, errors = read_answers(attempt, post_data([(key, first), (key, second)]))
    assert errors == {} and answers == {question["id"]: [first, second]}


def test_a_question_the_attempt_does_not_have_fails_the_whole_form(attempt):
    question = attempt.snapshot[0]
    choice = question["choices"][0]["id"]
    answers, errors = read_answers(
        attempt, post_data([(f"q{question['id']}", choice), ("q999999", 1)])
    )
    assert errors == {"__all__": "The form did not match this attempt. Please reload the page."}
    assert answers == {question["id"]: [choice]}  # kept for the page shown again


def test_blank_questions_are_simply_unanswered(attempt):
    answers, errors = read_answers(attempt, post_data([]))
    assert answers == {} and errors == {}
