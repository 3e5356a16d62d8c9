"""Taking a quiz: accessible forms, answers hidden until submitted, server-side scores."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, AttemptAnswer, AttemptStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(db):
    return factories.make_quiz(pass_mark=60, review_before_submit=False)


def start(client, quiz):
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.latest("pk")
    assert response["Location"].startswith(reverse("quizzes:attempt", args=[attempt.pk]))
    return attempt


def attempt_url(attempt):
    return reverse("quizzes:attempt", args=[attempt.pk])


class TestTakingAQuiz:
    def test_form_is_accessible_and_hides_the_answers(self, client, learner, quiz):
        client.force_login(learner)
        attempt = start(client, quiz)
        html = client.get(attempt_url(attempt)).content.decode()
        assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
        assert 'type="radio"' in html and 'type="checkbox"' in html
        assert "Feedback for" not in html and "Because:" not in html
        assert "correct" not in html.lower().replace("correct-horse", "")

    def test_pass_and_see_feedback(self, client, learner, quiz):
        client.force_login(learner)
        attempt = start(client, quiz)
        data = {**factories.correct_answers(attempt), "action": "submit"}
        response = client.post(attempt_url(attempt), data)
        assert response["Location"] == reverse("quizzes:result", args=[attempt.pk])
        attempt.refresh_from_db()
        assert (attempt.status, attempt.percent, attempt.passed) == ("submitted", 100.0, True)
        assert AttemptAnswer.objects.filter(attempt=attempt).count() == 3
        result = client.get(response["Location"]).content.decode()
        assert "100%" in result and "you passed" in result and "Because:" in result
        assert services.has_passed(learner, quiz)

    def test_fail_with_score_and_history(self, client, learner, quiz):
        client.force_login(learner)
        attempt = start(client, quiz)
        client.post(attempt_url(attempt), {**factories.wrong_answers(attempt), "action": "submit"})
        attempt.refresh_from_db()
        assert attempt.passed is False and attempt.percent == 0
        detail = client.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
        assert "Not passed" in detail and "Start a new attempt" in detail

    def test_save_and_resume_later(self, client, learner, quiz):
        client.force_login(learner)
        attempt = start(client, quiz)
        first = attempt.snapshot[0]
        choice = first["choices"][0]["id"]
        client.post(attempt_url(attempt), {f"q{first['id']}": str(choice), "action": "save"})
        again = client.post(reverse("quizzes:start", args=[quiz.pk]))
        assert again["Location"].startswith(attempt_url(attempt))
        html = client.get(attempt_url(attempt)).content.decode()
        assert f'value="{choice}" id="c{choice}" checked' in html
        assert Attempt.objects.count() == 1

    def test_review_step_before_final_submit(self, client, learner, db):
        quiz = factories.make_quiz(review_before_submit=True)
        client.force_login(learner)
        attempt = start(client, quiz)
        review = client.post(
            attempt_url(attempt), {**factories.correct_answers(attempt), "action": "review"}
        )
        assert review.status_code == 200 and b"Check your answers" in review.content
        attempt.refresh_from_db()
        assert attempt.is_open
        client.post(attempt_url(attempt), {"action": "submit"})
        attempt.refresh_from_db()
        assert attempt.passed

    def test_snapshot_keeps_history_when_the_quiz_is_edited(self, client, learner, quiz):
        client.force_login(learner)
        attempt = start(client, quiz)
        client.post(
            attempt_url(attempt), {**factories.correct_answers(attempt), "action": "submit"}
        )
        question = quiz.questions.first()
        question.text = "Rewritten later"
        question.save()
        result = client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
        assert "Which is an indicator of control?" in result
        assert "Rewritten later" not in result

    @pytest.mark.parametrize(
        "mode,passed,shown",
        [
            ("never", True, False),
            ("never", False, False),
            ("without_key", False, True),
            ("key_when_done", False, True),
            ("key_when_done", True, True),
        ],
    )
    def test_feedback_modes(self, client, learner, db, mode, passed, shown):
        quiz = factories.make_quiz(feedback_mode=mode, review_before_submit=False)
        client.force_login(learner)
        attempt = start(client, quiz)
        answers = factories.correct_answers(attempt) if passed else factories.wrong_answers(attempt)
        client.post(attempt_url(attempt), {**answers, "action": "submit"})
        result = client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
        assert ("Because:" in result) is shown

    def test_random_draw_and_shuffles(self, learner, db):
        quiz = factories.make_quiz(
            questions=[("single", f"Q{n}", [("a", True), ("b", False)]) for n in range(15)],
            questions_to_draw=10,
            shuffle_questions=True,
            shuffle_choices=True,
        )
        attempt = services.start_attempt(learner, quiz)
        ids = [q["id"] for q in attempt.snapshot]
        assert len(ids) == 10 == len(set(ids))

    def test_draft_quiz_cannot_be_taken(self, client, learner, quiz):
        quiz.live = False
        quiz.save()
        client.force_login(learner)
        assert client.post(reverse("quizzes:start", args=[quiz.pk])).status_code == 404
        assert client.get(reverse("quizzes:detail", args=[quiz.pk])).status_code == 404


class TestTimeLimit:
    @pytest.mark.parametrize("policy", ["flag", "reject"])
    def test_late_submission_is_flagged_or_ignored(self, client, learner, db, policy):
        quiz = factories.make_quiz(
            time_limit_minutes=10, late_policy=policy, review_before_submit=False
        )
        client.force_login(learner)
        attempt = start(client, quiz)
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline_at=timezone.now() - timedelta(minutes=5)
        )
        # Even "save" is a final submission once the time is up. Under REJECT, the answers
        # sent late are ignored: nothing was saved in time, so nothing scores.
        client.post(
            attempt_url(attempt),
            {
                **factories.correct_answers(attempt),
                "action": "save" if policy == "reject" else "submit",
            },
        )
        attempt.refresh_from_db()
        result = client.get(reverse("quizzes:result", args=[attempt.pk])).content
        if policy == "flag":
            assert attempt.late and attempt.passed and attempt.status == "submitted"
            assert b"marked as late" in result
        else:
            assert attempt.status == AttemptStatus.SUBMITTED and attempt.timed_out
            assert attempt.percent == 0 and attempt.passed is False and not attempt.late
            assert b"Time ran out" in result

    def test_accommodations_extend_or_lift_the_limit(self, learner, db):
        from quizzes.models import Accommodation

        quiz = factories.make_quiz(time_limit_minutes=20)
        assert services.time_allowed(learner, quiz) == 20
        Accommodation.objects.create(user=learner, extra_time_percent=50)
        assert services.time_allowed(learner, quiz) == 30
        Accommodation.objects.create(user=learner, quiz=quiz, no_time_limit=True)
        assert services.time_allowed(learner, quiz) is None
        attempt = services.start_attempt(learner, quiz)
        assert attempt.deadline_at is None


class TestQueryCounts:
    @pytest.mark.parametrize("size", [5, 20])
    def test_taking_and_submitting_is_constant(
        self, client, learner, size, django_assert_max_num_queries
    ):
        quiz = factories.make_quiz(
            questions=[
                ("single", f"Question {n}", [("a", True), ("b", False), ("c", False)])
                for n in range(size)
            ],
            review_before_submit=False,
        )
        client.force_login(learner)
        # 12, plus finalising any attempt past its deadline and the blueprint rows; the host's
        # attempt window (the course cycle) is read twice, and the learner's jurisdiction
        # once. None of it grows with the quiz.
        with django_assert_max_num_queries(15):
            client.post(reverse("quizzes:start", args=[quiz.pk]))
        attempt = Attempt.objects.get()
        with django_assert_max_num_queries(8):
            assert client.get(attempt_url(attempt)).status_code == 200
        with django_assert_max_num_queries(12):
            client.post(
                attempt_url(attempt), {**factories.correct_answers(attempt), "action": "submit"}
            )
        attempt.refresh_from_db()
        assert attempt.percent == 100
