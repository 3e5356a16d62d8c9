"""Starting, saving, submitting and scoring attempts. Views call these; so do tests.

Every rule is enforced here on the server: attempt limits and cooldowns (backed by unique
constraints on the attempt number and on one open attempt per learner and quiz), the time
limit, which choices belong to which question, and exactly one scored submission per attempt
(a conditional UPDATE on the open status).
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import blueprints
from .models import (
    Accommodation,
    Attempt,
    AttemptAnswer,
    AttemptStatus,
    FeedbackMode,
    LatePolicy,
    QuestionKind,
    Quiz,
)
from .scoring import score_question
from .signals import attempt_submitted

# Allowance for network delay when a submission arrives just after the deadline.
DEADLINE_GRACE = timedelta(seconds=30)


class QuizError(Exception):
    """A refusal with a message for the learner; nothing was saved."""


# --- starting ---------------------------------------------------------------------------


def draw_questions(quiz, rng):
    """The questions for a new attempt: all, or a random draw (by blueprint, or optionally
    spread across tags). The same rng state gives the same draw."""
    questions = list(quiz.questions.prefetch_related("choices").order_by("sort_order", "pk"))
    count = quiz.questions_to_draw
    rows = [(row.tag, row.count) for row in quiz.blueprint.order_by("sort_order", "pk")]
    if rows:
        questions = blueprints.draw(questions, rows, count, rng)
    elif count and count < len(questions):
        if quiz.draw_per_tag:
            by_tag = {}
            for question in questions:
                by_tag.setdefault((question.tag_list or [""])[0], []).append(question)
            for group in by_tag.values():
                rng.shuffle(group)
            chosen = []
            while len(chosen) < count:
                for group in by_tag.values():
                    if group and len(chosen) < count:
                        chosen.append(group.pop())
            questions = sorted(chosen, key=lambda q: (q.sort_order or 0, q.pk))
        else:
            drawn = rng.sample(questions, count)
            questions = sorted(drawn, key=lambda q: (q.sort_order or 0, q.pk))
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


def build_snapshot(quiz, questions, rng):
    snapshot = []
    for question in questions:
        choices = list(question.choices.all())
        if quiz.shuffle_choices and question.kind != QuestionKind.TRUE_FALSE:
            rng.shuffle(choices)
        snapshot.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "scoring": question.scoring,
                "vignette": question.vignette,
                "text": question.text,
                "explanation": question.explanation,
                "tags": question.tag_list,
                "choices": [
                    {"id": c.pk, "text": c.text, "correct": c.is_correct, "feedback": c.feedback}
                    for c in choices
                ],
            }
        )
    return snapshot


def time_allowed(user, quiz):
    """Minutes allowed for this learner, or None for no limit."""
    if not quiz.time_limit_minutes:
        return None
    accommodation = (
        Accommodation.objects.filter(user=user, quiz=quiz).first()
        or Accommodation.objects.filter(user=user, quiz__isnull=True).first()
    )
    if accommodation and accommodation.no_time_limit:
        return None
    extra = accommodation.extra_time_percent if accommodation else 0
    return quiz.time_limit_minutes * (100 + extra) / 100


def open_attempt(user, quiz):
    return Attempt.objects.filter(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS).first()


def start_refusal(user, quiz, now=None):
    """Why the learner may not start a new attempt now, or None."""
    now = now or timezone.now()
    finished = Attempt.objects.filter(user=user, quiz=quiz).exclude(
        status=AttemptStatus.IN_PROGRESS
    )
    if quiz.attempts_allowed and finished.count() >= quiz.attempts_allowed:
        return _("You have used all %(n)s attempts at this quiz.") % {"n": quiz.attempts_allowed}
    if quiz.cooldown_minutes:
        last = finished.aggregate(last=Max("submitted_at"))["last"]
        if last:
            ready = last + timedelta(minutes=quiz.cooldown_minutes)
            if now < ready:
                minutes = int((ready - now).total_seconds() // 60) + 1
                return _(
                    "You can try again in %(m)s minute(s). Take a break: your progress is kept."
                ) % {"m": minutes}
    return None


def start_attempt(user, quiz, rng=None, now=None):
    """Resume the open attempt, or start a new one if the rules allow. Returns the attempt."""
    if not quiz.live:
        raise QuizError(_("This quiz is not available."))
    existing = open_attempt(user, quiz)
    if existing:
        return existing
    now = now or timezone.now()
    refusal = start_refusal(user, quiz, now)
    if refusal:
        raise QuizError(refusal)
    rng = rng or random.SystemRandom()
    questions = draw_questions(quiz, rng)
    if not questions:
        raise QuizError(_("This quiz has no questions yet."))
    minutes = time_allowed(user, quiz)
    last = Attempt.objects.filter(user=user, quiz=quiz).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    if quiz.attempts_allowed and number > quiz.attempts_allowed:
        raise QuizError(
            _("You have used all %(n)s attempts at this quiz.") % {"n": quiz.attempts_allowed}
        )
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                user=user,
                quiz=quiz,
                number=number,
                snapshot=build_snapshot(quiz, questions, rng),
                deadline_at=now + timedelta(minutes=minutes) if minutes else None,
                pass_mark=quiz.pass_mark,
            )
    except IntegrityError:
        # Another request started one at the same moment: resume that one, if open.
        existing = open_attempt(user, quiz)
        if existing:
            return existing
        raise QuizError(_("You have used all your attempts at this quiz.")) from None


# --- answering --------------------------------------------------------------------------


def missing_questions(attempt, answers):
    return [
        position
        for position, question in enumerate(attempt.snapshot, start=1)
        if question["id"] not in answers
    ]


def save_draft(attempt, answers):
    """Keep unsubmitted answers so the learner can resume later."""
    Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
        draft_answers={str(k): v for k, v in answers.items()}
    )
    attempt.draft_answers = {str(k): v for k, v in answers.items()}


@dataclass
class Submission:
    attempt: Attempt
    newly_submitted: bool


def submit_attempt(attempt, answers, now=None):
    """Score and close the attempt: exactly once, whatever races with it."""
    now = now or timezone.now()
    late = bool(attempt.deadline_at and now > attempt.deadline_at + DEADLINE_GRACE)
    reject = late and attempt.quiz.late_policy == LatePolicy.REJECT
    rows, total, maximum = [], 0.0, 0.0
    for position, question in enumerate(attempt.snapshot, start=1):
        chosen = answers.get(question["id"], [])
        choices = [(c["id"], c["correct"]) for c in question["choices"]]
        points = (
            0.0
            if reject
            else score_question(question["kind"], question["scoring"], choices, chosen)
        )
        total += points
        maximum += 1.0
        rows.append(
            AttemptAnswer(
                attempt=attempt,
                question_id=question["id"],
                position=position,
                choice_ids=chosen,
                score=points,
            )
        )
    percent = round(100 * total / maximum, 2) if maximum else 0.0
    passed = (not reject) and percent >= attempt.pass_mark
    with transaction.atomic():
        closed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            status=AttemptStatus.REJECTED if reject else AttemptStatus.SUBMITTED,
            submitted_at=now,
            late=late,
            score=round(total, 4),
            max_score=maximum,
            percent=percent,
            passed=passed,
            draft_answers={},
        )
        if not closed:
            attempt.refresh_from_db()
            return Submission(attempt, False)
        AttemptAnswer.objects.bulk_create(rows)
        attempt.refresh_from_db()
        transaction.on_commit(
            lambda: attempt_submitted.send(
                sender=Attempt,
                attempt=attempt,
                user=attempt.user,
                quiz=attempt.quiz,
                passed=attempt.passed,
            )
        )
    return Submission(attempt, True)


# --- results ----------------------------------------------------------------------------


def has_passed(user, quiz):
    """Has this learner ever passed this quiz? The function other apps call."""
    if not getattr(user, "is_authenticated", False):
        return False
    quiz_id = quiz.pk if isinstance(quiz, Quiz) else quiz
    return Attempt.objects.filter(user=user, quiz_id=quiz_id, passed=True).exists()


def show_feedback(attempt):
    mode = attempt.quiz.feedback_mode
    if mode == FeedbackMode.NEVER or attempt.status == AttemptStatus.IN_PROGRESS:
        return False
    if mode == FeedbackMode.AFTER_PASS:
        return bool(attempt.passed)
    return True
