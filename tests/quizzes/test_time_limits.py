"""Hard time limits and autosave: the score is the one computed at the deadline from the
answers saved before it; nothing sent later (plain, replayed or concurrent) changes it."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Accommodation, Attempt, AttemptAnswer, AttemptStatus, LatePolicy, Quiz
from tests import factories

pytestmark = pytest.mark.django_db


def answers(attempt, correct):
    """{question id: [choice ids]}: all right or all wrong."""
    return {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"] == correct][
            : (None if correct else 1)
        ]
        for q in attempt.snapshot
    }


def expire(attempt, seconds_ago=120):
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    attempt.refresh_from_db()


def autosave_url(attempt):
    return reverse("quizzes:autosave", args=[attempt.pk])


def attempt_url(attempt):
    return reverse("quizzes:attempt", args=[attempt.pk])


@pytest.fixture
def timed(learner):
    """A 30-minute quiz (default late policy), an open attempt with wrong answers saved."""
    quiz = factories.make_quiz(time_limit_minutes=30, review_before_submit=False)
    attempt = services.start_attempt(learner, quiz)
    assert services.save_draft(attempt, answers(attempt, correct=False))
    return quiz, attempt


@pytest.fixture
def taker(client, learner):
    client.force_login(learner)
    return client


def assert_scored_at_deadline(attempt):
    """Marked once, from the wrong answers saved in time: 0%, not passed."""
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.timed_out
    assert attempt.percent == 0 and attempt.passed is False
    assert attempt.submitted_at == attempt.deadline_at
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == len(attempt.snapshot)
    assert AttemptAnswer.objects.filter(attempt=attempt, score__gt=0).count() == 0


class TestLatePolicyDefault:
    def test_new_quizzes_close_at_the_deadline(self):
        assert Quiz().late_policy == LatePolicy.REJECT
        assert factories.make_quiz().late_policy == LatePolicy.REJECT

    def test_flag_keeps_the_advisory_limit(self, learner):
        quiz = factories.make_quiz(time_limit_minutes=10, late_policy=LatePolicy.FLAG)
        attempt = services.start_attempt(learner, quiz)
        expire(attempt)
        assert not services.finalise_if_expired(attempt)
        submission = services.submit_attempt(attempt, answers(attempt, correct=True))
        assert submission.attempt.late and submission.attempt.percent == 100
        assert not submission.attempt.timed_out


class TestPostsAfterTheDeadline:
    @pytest.mark.parametrize("action", ["submit", "save", "review"])
    def test_a_plain_post_is_ignored(self, taker, timed, action):
        _, attempt = timed
        expire(attempt)
        data = {**factories.correct_answers(attempt), "action": action}
        response = taker.post(attempt_url(attempt), data, follow=True)
        assert b"Time ran out" in response.content
        assert_scored_at_deadline(attempt)

    def test_a_replayed_post_is_ignored(self, taker, timed):
        _, attempt = timed
        data = {**factories.correct_answers(attempt), "action": "submit"}
        expire(attempt)
        for _ in range(3):
            assert taker.post(attempt_url(attempt), data).status_code == 302
        assert_scored_at_deadline(attempt)

    def test_a_submission_inside_the_network_allowance_counts(self, taker, timed):
        """The page submits itself at zero; it arrives a moment later and still counts, even
        with questions left blank."""
        _, attempt = timed
        expire(attempt, seconds_ago=2)
        data = factories.correct_answers(attempt)
        del data[f"q{attempt.snapshot[0]['id']}"]
        taker.post(attempt_url(attempt), {**data, "action": "submit"})
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.SUBMITTED and not attempt.timed_out
        assert round(attempt.percent) == 67

    def test_service_calls_after_the_deadline_store_nothing(self, timed):
        _, attempt = timed
        expire(attempt)
        right = answers(attempt, correct=True)
        assert services.save_draft(attempt, right) is False
        with pytest.raises(services.TooLate):
            services.save_answer(
                attempt, attempt.snapshot[0]["id"], right[attempt.snapshot[0]["id"]]
            )
        services.submit_attempt(attempt, right)
        assert_scored_at_deadline(attempt)
        # And once closed, later calls change nothing either.
        assert services.submit_attempt(attempt, right).newly_submitted is False
        with pytest.raises(services.AttemptClosed):
            services.save_answer(attempt, attempt.snapshot[0]["id"], [])
        assert_scored_at_deadline(attempt)


class TestFinalisedWhenTouched:
    def test_viewing_the_attempt(self, taker, timed):
        _, attempt = timed
        expire(attempt)
        response = taker.get(attempt_url(attempt))
        assert response["Location"] == reverse("quizzes:result", args=[attempt.pk])
        assert_scored_at_deadline(attempt)

    def test_the_result_page(self, taker, timed):
        _, attempt = timed
        expire(attempt)
        response = taker.get(reverse("quizzes:result", args=[attempt.pk]), follow=True)
        assert b"Time ran out" in response.content and b"0%" in response.content
        assert_scored_at_deadline(attempt)

    def test_the_quiz_page(self, taker, timed):
        quiz, attempt = timed
        expire(attempt)
        taker.get(reverse("quizzes:detail", args=[quiz.pk]))
        assert_scored_at_deadline(attempt)

    def test_starting_another(self, taker, timed, learner):
        quiz, attempt = timed
        expire(attempt)
        taker.post(reverse("quizzes:start", args=[quiz.pk]))
        assert_scored_at_deadline(attempt)
        assert Attempt.objects.get(user=learner, quiz=quiz, status="in_progress").number == 2

    def test_nothing_happens_before_the_deadline(self, taker, timed):
        _, attempt = timed
        assert taker.get(attempt_url(attempt)).status_code == 200
        assert not services.finalise_if_expired(attempt)
        attempt.refresh_from_db()
        assert attempt.is_open


class TestAccommodations:
    def test_extra_time_moves_the_deadline_and_the_page_says_so(self, taker, learner):
        Accommodation.objects.create(user=learner, extra_time_percent=50)
        quiz = factories.make_quiz(time_limit_minutes=20)
        attempt = services.start_attempt(learner, quiz)
        assert (attempt.deadline_at - attempt.started_at) > timedelta(minutes=29)
        html = taker.get(attempt_url(attempt)).content.decode()
        assert "Time allowed: 30 minutes, including your extra time" in html
        assert 'data-seconds-left="' in html and "quizzes/js/attempt.js" in html

    def test_no_time_limit(self, taker, learner):
        Accommodation.objects.create(user=learner, no_time_limit=True)
        quiz = factories.make_quiz(time_limit_minutes=20)
        attempt = services.start_attempt(learner, quiz)
        html = taker.get(attempt_url(attempt)).content.decode()
        assert "does not apply to you" in html and "data-countdown" not in html
        services.save_answer(attempt, attempt.snapshot[0]["id"], [])
        assert not services.finalise_if_expired(attempt, timezone.now() + timedelta(days=2))


class TestAutosave:
    def post(self, client, attempt, question, choices=(), **extra):
        return client.post(
            autosave_url(attempt), {"question": question, "choice": list(choices)}, **extra
        )

    def test_saves_one_answer_and_keeps_the_others(self, taker, timed):
        _, attempt = timed
        q = attempt.snapshot[0]
        right = [c["id"] for c in q["choices"] if c["correct"]]
        response = self.post(taker, attempt, q["id"], right)
        assert response.status_code == 200
        body = response.json()
        assert body["saved"] is True and body["saved_at"]
        attempt.refresh_from_db()
        assert attempt.draft_answers[str(q["id"])] == right
        assert len(attempt.draft_answers) == len(attempt.snapshot)
        assert attempt.draft_saved_at is not None
        # No choice clears the answer.
        assert self.post(taker, attempt, q["id"]).status_code == 200
        attempt.refresh_from_db()
        assert str(q["id"]) not in attempt.draft_answers

    def test_the_json_never_marks_the_correct_choice(self, taker, timed):
        _, attempt = timed
        q = attempt.snapshot[0]
        for choice in q["choices"]:
            response = self.post(taker, attempt, q["id"], [choice["id"]])
            text = response.content.decode().lower()
            assert set(json.loads(text)) == {"saved", "saved_at"}
            assert "correct" not in text and "feedback" not in text and "score" not in text

    def test_someone_elses_attempt_is_404(self, timed, make_user):
        _, attempt = timed
        intruder = Client()
        intruder.force_login(make_user("intruder@example.org"))
        q = attempt.snapshot[0]
        assert self.post(intruder, attempt, q["id"], [q["choices"][0]["id"]]).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, timed):
        _, attempt = timed
        response = self.post(Client(), attempt, attempt.snapshot[0]["id"])
        assert response.status_code == 302

    def test_a_submitted_attempt_is_409(self, taker, timed):
        _, attempt = timed
        services.submit_attempt(attempt, answers(attempt, correct=False))
        q = attempt.snapshot[0]
        response = self.post(taker, attempt, q["id"], [q["choices"][0]["id"]])
        assert response.status_code == 409
        assert response.json()["saved"] is False and "already submitted" in response.json()["error"]

    def test_past_the_deadline_is_409_and_closes_the_attempt(self, taker, timed):
        _, attempt = timed
        expire(attempt)
        q = attempt.snapshot[0]
        right = [c["id"] for c in q["choices"] if c["correct"]]
        response = self.post(taker, attempt, q["id"], right)
        assert response.status_code == 409
        body = response.json()
        assert body["closed"] is True and "Time ran out" in body["error"]
        assert body["result_url"] == reverse("quizzes:result", args=[attempt.pk])
        assert_scored_at_deadline(attempt)

    @pytest.mark.parametrize(
        "case", ["foreign question", "choice of another question", "foreign choice", "not an id"]
    )
    def test_ids_outside_the_attempt_are_400(self, taker, timed, case):
        _, attempt = timed
        other = factories.make_quiz(title="Other quiz").questions.first()
        q0, q1 = attempt.snapshot[0], attempt.snapshot[1]
        question, choices = {
            "foreign question": (other.pk, [other.choices.first().pk]),
            "choice of another question": (q0["id"], [q1["choices"][0]["id"]]),
            "foreign choice": (q0["id"], [other.choices.first().pk]),
            "not an id": (q0["id"], ["abc"]),
        }[case]
        before = Attempt.objects.get(pk=attempt.pk).draft_answers
        response = self.post(taker, attempt, question, choices)
        assert response.status_code == 400
        assert response.json()["saved"] is False and response.json()["error"]
        assert Attempt.objects.get(pk=attempt.pk).draft_answers == before

    def test_two_answers_to_a_single_answer_question_are_400(self, taker, timed):
        _, attempt = timed
        q = attempt.snapshot[0]
        response = self.post(taker, attempt, q["id"], [c["id"] for c in q["choices"]])
        assert response.status_code == 400 and "choose one answer" in response.json()["error"]

    def test_get_is_405(self, taker, timed):
        _, attempt = timed
        assert taker.get(autosave_url(attempt)).status_code == 405

    def test_without_the_csrf_token_is_403(self, timed, learner):
        _, attempt = timed
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        q = attempt.snapshot[0]
        assert self.post(client, attempt, q["id"], [q["choices"][0]["id"]]).status_code == 403
        attempt.refresh_from_db()
        assert attempt.draft_answers == {
            str(k): v for k, v in answers(attempt, correct=False).items()
        }


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_after_the_deadline_never_change_the_score(learner):
    if connection.vendor != "postgresql":
        pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
    quiz = factories.make_quiz(time_limit_minutes=30, review_before_submit=False)
    attempt = services.start_attempt(learner, quiz)
    services.save_draft(attempt, answers(attempt, correct=False))
    expire(attempt)
    right = factories.correct_answers(attempt)
    q = attempt.snapshot[0]
    calls = [
        lambda: client_post(learner, attempt_url(attempt), {**right, "action": "submit"}),
        lambda: client_post(learner, attempt_url(attempt), {**right, "action": "save"}),
        lambda: client_post(
            learner, autosave_url(attempt), {"question": q["id"], "choice": right[f"q{q['id']}"]}
        ),
        lambda: services.finalise_if_expired(Attempt.objects.get(pk=attempt.pk)),
    ] * 2
    queue = list(calls)
    results, errors = factories.race(lambda: queue.pop()(), threads=len(calls))
    assert errors == []
    assert_scored_at_deadline(attempt)


@pytest.mark.django_db(transaction=True)
def test_saving_and_finalising_in_parallel_score_what_was_saved(learner):
    """An answer saved while the deadline passes either lands before the finalisation (and
    counts) or is refused: the score always matches the saved answers it was computed from."""
    if connection.vendor != "postgresql":
        pytest.skip("Real parallel writes need PostgreSQL; SQLite serialises writers.")
    quiz = factories.make_quiz(time_limit_minutes=30, review_before_submit=False)
    attempt = services.start_attempt(learner, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - services.DEADLINE_GRACE + timedelta(milliseconds=300)
    )
    attempt.refresh_from_db()
    right = answers(attempt, correct=True)
    jobs = [
        (
            lambda q=q: services.save_answer(
                Attempt.objects.get(pk=attempt.pk), q["id"], right[q["id"]]
            )
        )
        for q in attempt.snapshot
    ]
    jobs.append(lambda: services.finalise_if_expired(Attempt.objects.get(pk=attempt.pk)))

    def run():
        import time

        job = jobs.pop()
        time.sleep(0.3)  # straddle the deadline
        try:
            return job()
        except services.QuizError as error:
            return error

    results, errors = factories.race(run, threads=len(jobs))
    assert errors == []
    services.finalise_if_expired(Attempt.objects.get(pk=attempt.pk))
    attempt.refresh_from_db()
    assert not attempt.is_open
    saved = [r for r in results if not isinstance(r, services.QuizError | bool)]
    stored = AttemptAnswer.objects.filter(attempt=attempt, score__gt=0).count()
    assert stored == len(saved)
    assert all(s <= attempt.deadline_at + services.DEADLINE_GRACE for s in saved)


def client_post(user, url, data):
    client = Client()
    client.force_login(user)
    return client.post(url, data).status_code
