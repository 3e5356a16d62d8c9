"""Tampering, replay and limits: each refusal is clear, nothing half-saved, never a 500."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, AttemptAnswer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, learner):
    quiz = factories.make_quiz(review_before_submit=False)
    other_quiz = factories.make_quiz(title="Other quiz")
    client.force_login(learner)
    attempt = services.start_attempt(learner, quiz)
    return client, quiz, other_quiz, attempt


def post(client, attempt, data):
    return client.post(reverse("quizzes:attempt", args=[attempt.pk]), data)


def assert_nothing_scored(attempt):
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.score is None
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


class TestTamperedAnswers:
    def test_choice_from_another_question(self, setup):
        client, _, _, attempt = setup
        data = factories.correct_answers(attempt)
        q0, q1 = attempt.snapshot[0], attempt.snapshot[1]
        data[f"q{q0['id']}"] = [str(q1["choices"][0]["id"])]
        response = post(client, attempt, {**data, "action": "submit"})
        assert response.status_code == 400
        assert b"Question 1: that answer is not valid" in response.content
        assert_nothing_scored(attempt)

    def test_choice_from_another_quiz(self, setup, learner):
        client, _, other_quiz, attempt = setup
        other = other_quiz.questions.first().choices.first()
        data = factories.correct_answers(attempt)
        data[f"q{attempt.snapshot[0]['id']}"] = [str(other.pk)]
        assert post(client, attempt, {**data, "action": "submit"}).status_code == 400
        assert_nothing_scored(attempt)

    def test_question_from_another_quiz(self, setup):
        client, _, other_quiz, attempt = setup
        data = factories.correct_answers(attempt)
        foreign = other_quiz.questions.first()
        data[f"q{foreign.pk}"] = [str(foreign.choices.first().pk)]
        response = post(client, attempt, {**data, "action": "submit"})
        assert response.status_code == 400
        assert b"did not match this attempt" in response.content
        assert_nothing_scored(attempt)

    @pytest.mark.parametrize("value", ["abc", "", "1.5", "-1", "999999999", "1e3"])
    def test_unknown_or_non_integer_ids(self, setup, value):
        client, _, _, attempt = setup
        data = factories.correct_answers(attempt)
        data[f"q{attempt.snapshot[0]['id']}"] = [value]
        response = post(client, attempt, {**data, "action": "submit"})
        assert response.status_code == 400
        assert_nothing_scored(attempt)

    def test_several_choices_on_a_single_answer_question(self, setup):
        client, _, _, attempt = setup
        data = factories.correct_answers(attempt)
        single = attempt.snapshot[0]
        data[f"q{single['id']}"] = [str(c["id"]) for c in single["choices"]]
        response = post(client, attempt, {**data, "action": "submit"})
        assert response.status_code == 400
        assert b"choose one answer" in response.content
        assert_nothing_scored(attempt)

    def test_duplicated_fields(self, setup):
        client, _, _, attempt = setup
        data = factories.correct_answers(attempt)
        multi = attempt.snapshot[2]
        data[f"q{multi['id']}"] = data[f"q{multi['id']}"] * 2
        assert post(client, attempt, {**data, "action": "submit"}).status_code == 400
        assert_nothing_scored(attempt)

    def test_missing_answers(self, setup):
        client, _, _, attempt = setup
        data = factories.correct_answers(attempt)
        del data[f"q{attempt.snapshot[1]['id']}"]
        response = post(client, attempt, {**data, "action": "submit"})
        assert response.status_code == 400
        assert b"Answer every question" in response.content
        assert b"Question 2: choose an answer" in response.content
        assert_nothing_scored(attempt)

    def test_oversized_body(self, setup, settings):
        client, _, _, attempt = setup
        data = {f"x{n}": "y" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
        response = post(client, attempt, data)
        assert response.status_code == 400
        big = {"q1": "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
        assert post(client, attempt, big).status_code == 400
        assert_nothing_scored(attempt)


class TestReplayAndOwnership:
    def test_someone_elses_attempt_is_404(self, setup, make_user):
        _, _, _, attempt = setup
        intruder = Client()
        intruder.force_login(make_user("intruder@example.org"))
        data = {**factories.correct_answers(attempt), "action": "submit"}
        assert intruder.post(reverse("quizzes:attempt", args=[attempt.pk]), data).status_code == 404
        assert intruder.get(reverse("quizzes:result", args=[attempt.pk])).status_code == 404
        assert_nothing_scored(attempt)

    def test_submitting_twice_scores_once(self, setup):
        client, _, _, attempt = setup
        right = {**factories.correct_answers(attempt), "action": "submit"}
        wrong = {**factories.wrong_answers(attempt), "action": "submit"}
        post(client, attempt, right)
        response = post(client, attempt, wrong)
        assert response.status_code == 302
        attempt.refresh_from_db()
        assert attempt.passed and attempt.percent == 100
        assert AttemptAnswer.objects.filter(attempt=attempt).count() == 3

    def test_stale_parallel_submissions_score_once(self, setup):
        _, _, _, attempt = setup
        stale = Attempt.objects.get(pk=attempt.pk)
        answers = {
            q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in attempt.snapshot
        }
        first = services.submit_attempt(attempt, answers)
        second = services.submit_attempt(stale, {})
        assert first.newly_submitted and not second.newly_submitted
        assert AttemptAnswer.objects.filter(attempt=attempt).count() == 3
        attempt.refresh_from_db()
        assert attempt.percent == 100

    def test_get_on_start_is_refused(self, setup):
        client, quiz, _, _ = setup
        assert client.get(reverse("quizzes:start", args=[quiz.pk])).status_code == 405

    def test_anonymous_cannot_start(self, setup):
        _, quiz, _, _ = setup
        response = Client().post(reverse("quizzes:start", args=[quiz.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


class TestLimits:
    def test_no_attempt_beyond_the_limit(self, client, learner):
        quiz = factories.make_quiz(attempts_allowed=2, review_before_submit=False)
        client.force_login(learner)
        for _ in range(2):
            attempt = services.start_attempt(learner, quiz)
            services.submit_attempt(attempt, {})
        response = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
        assert b"You have used all 2 attempts" in response.content
        assert Attempt.objects.filter(quiz=quiz).count() == 2

    def test_cooldown_then_pass(self, client, learner):
        quiz = factories.make_quiz(cooldown_minutes=30, review_before_submit=False)
        client.force_login(learner)
        attempt = services.start_attempt(learner, quiz)
        services.submit_attempt(attempt, {})
        response = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
        assert b"You can try again in 30 minute" in response.content
        assert Attempt.objects.count() == 1
        Attempt.objects.filter(pk=attempt.pk).update(
            submitted_at=timezone.now() - timedelta(minutes=31)
        )
        second = services.start_attempt(learner, quiz)
        assert second.number == 2

    def test_the_attempt_number_constraint_holds_a_race(self, learner):
        """Two starts that both think they are attempt 2 of 2: the database keeps one."""
        from django.db import IntegrityError, transaction

        quiz = factories.make_quiz(attempts_allowed=2)
        first = services.start_attempt(learner, quiz)
        services.submit_attempt(first, {})
        services.start_attempt(learner, quiz)
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(user=learner, quiz=quiz, number=2, snapshot=[], pass_mark=80)
        assert Attempt.objects.filter(quiz=quiz).count() == 2

    def test_one_open_attempt_per_learner(self, learner):
        from django.db import IntegrityError, transaction

        quiz = factories.make_quiz()
        services.start_attempt(learner, quiz)
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(user=learner, quiz=quiz, number=5, snapshot=[], pass_mark=80)


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_at_the_limit_create_one_attempt(learner):
    if connection.vendor != "postgresql":
        pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
    quiz = factories.make_quiz(attempts_allowed=1)

    def start():
        try:
            return services.start_attempt(learner, quiz).pk
        except services.QuizError as error:
            return str(error)

    outcomes, errors = factories.race(start)
    assert errors == []
    assert Attempt.objects.filter(quiz=quiz).count() == 1
    assert len({o for o in outcomes if isinstance(o, int)}) == 1
