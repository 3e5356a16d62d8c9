"""Starting, saving, submitting and scoring attempts. Views call these; so do tests.

Every rule is enforced here on the server: attempt limits and cooldowns (backed by unique
constraints on the attempt number and on one open attempt per learner and quiz), the time
limit, which choices belong to which question, and exactly one scored submission per attempt
(a conditional UPDATE on the open status).

Time limits are hard when the quiz's late policy is REJECT (the default): answers are saved as
the learner goes (`save_answer`, `save_draft`), every save and every submission locks the
attempt's row, and once the deadline (plus a short allowance for network delay) has passed,
nothing sent is stored: the attempt is marked with the answers saved before it
(`finalise_if_expired`), whoever touches it first. The FLAG policy keeps the old, advisory limit.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import blueprints, conf, translations
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
from .signals import attempt_started, attempt_submitted

# Allowance for network delay when a submission arrives just after the deadline.
DEADLINE_GRACE = timedelta(seconds=30)


class QuizError(Exception):
    """A refusal with a message for the learner; nothing was saved."""


class AttemptClosed(QuizError):
    """The attempt was already submitted."""


class TooLate(QuizError):
    """The deadline has passed: the answers sent were not stored."""


# --- starting ---------------------------------------------------------------------------


def draw_questions(quiz, rng, jurisdiction=""):
    """The questions for a new attempt: all, or a random draw (by blueprint, or optionally
    spread across tags), from those eligible for the learner's jurisdiction (untagged ones,
    and those tagged with its code). The same rng state gives the same draw."""
    questions = [
        question
        for question in quiz.questions.prefetch_related("choices").order_by("sort_order", "pk")
        if question.is_for(jurisdiction)
    ]
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


def build_snapshot(quiz, questions, rng, words=None):
    """The questions as shown: ids, kinds, tags and the answer key from the (source) quiz's
    questions; the words from `words` (quizzes.translations.words_for) when given."""
    snapshot = []
    for question in questions:
        choices = list(question.choices.all())
        if quiz.shuffle_choices and question.kind != QuestionKind.TRUE_FALSE:
            rng.shuffle(choices)
        shown, shown_choices = words[question.pk] if words else (question, {})
        snapshot.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "scoring": question.scoring,
                "vignette": shown.vignette,
                "text": shown.text,
                "explanation": shown.explanation,
                "tags": question.tag_list,
                "jurisdictions": question.jurisdiction_list,
                "choices": [
                    {
                        "id": c.pk,
                        "text": shown_choices.get(c.pk, c).text,
                        "correct": c.is_correct,
                        "feedback": shown_choices.get(c.pk, c).feedback,
                    }
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


def attempts_in_window(user, quiz, since=None):
    """The learner's attempts at the quiz started since `since` (all of them if None): the
    ones that count for limits and cooldowns. Earlier attempts stay as history."""
    attempts = Attempt.objects.filter(user=user, quiz=quiz)
    return attempts if since is None else attempts.filter(started_at__gte=since)


def start_refusal(user, quiz, now=None):
    """Why the learner may not start a new attempt now, or None. Only attempts in the host's
    window count (`QUIZZES_ATTEMPT_WINDOW`: a new certification cycle starts afresh)."""
    now = now or timezone.now()
    since = conf.attempts_count_since(user, quiz)
    finished = attempts_in_window(user, quiz, since).exclude(status=AttemptStatus.IN_PROGRESS)
    if quiz.attempts_allowed and finished.count() >= quiz.attempts_allowed:
        return _("You have used all %(n)s attempts at this quiz.") % {"n": quiz.attempts_allowed}
    if quiz.effective_cooldown_minutes:
        last = finished.aggregate(last=Max("submitted_at"))["last"]
        if last:
            ready = last + timedelta(minutes=quiz.effective_cooldown_minutes)
            if now < ready:
                minutes = int((ready - now).total_seconds() // 60) + 1
                return _(
                    "You can try again in %(m)s minute(s). Take a break: your progress is kept."
                ) % {"m": minutes}
    return None


def start_attempt(user, quiz, rng=None, now=None, jurisdiction=None, language=None):
    """Resume the open attempt, or start a new one if the rules allow. Returns the attempt.
    Questions are drawn for the learner's jurisdiction (`jurisdiction`, a code; by default
    the host's answer through `QUIZZES_LEARNER_JURISDICTION`), which the attempt keeps.
    `quiz` is a source quiz (quizzes.translations); the words are those of its translation
    in `language` (a Locale; by default the active language's) when one is complete and
    live, and the attempt records the language shown."""
    quiz = translations.source_quiz(quiz)
    if not quiz.live:
        raise QuizError(_("This quiz is not available."))
    finalise_expired(user, now=now)
    existing = open_attempt(user, quiz)
    if existing:
        return existing
    now = now or timezone.now()
    refusal = start_refusal(user, quiz, now)
    if refusal:
        raise QuizError(refusal)
    rng = rng or random.SystemRandom()
    jurisdiction = (
        conf.learner_jurisdiction(user, quiz)
        if jurisdiction is None
        else conf.normalise_jurisdiction(jurisdiction)
    )
    questions = draw_questions(quiz, rng, jurisdiction)
    if not questions:
        raise QuizError(_("This quiz has no questions yet."))
    # The words in the learner's language if a complete live translation has them.
    locale = translations.active_locale() if language is None else language
    words = translations.words_for(
        questions, translations.live_translation(quiz, locale, with_questions=True)
    )
    minutes = time_allowed(user, quiz)
    last = Attempt.objects.filter(user=user, quiz=quiz).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1  # numbers run on across windows: history is kept
    since = conf.attempts_count_since(user, quiz)
    if quiz.attempts_allowed and attempts_in_window(user, quiz, since).count() >= (
        quiz.attempts_allowed
    ):
        raise QuizError(
            _("You have used all %(n)s attempts at this quiz.") % {"n": quiz.attempts_allowed}
        )
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                quiz=quiz,
                number=number,
                snapshot=build_snapshot(quiz, questions, rng, words),
                deadline_at=now + timedelta(minutes=minutes) if minutes else None,
                pass_mark=quiz.pass_mark,
                jurisdiction=jurisdiction,
                language=(locale if words else quiz.locale).language_code,
            )
        transaction.on_commit(
            lambda: attempt_started.send(sender=Attempt, attempt=attempt, user=user, quiz=quiz)
        )
        return attempt
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


def answers_from_draft(draft):
    return {int(question_id): choice_ids for question_id, choice_ids in (draft or {}).items()}


def past_cutoff(attempt, now=None):
    """A hard deadline has passed (with the allowance for network delay): nothing sent counts."""
    if not attempt.enforces_deadline:
        return False
    return (now or timezone.now()) > attempt.deadline_at + DEADLINE_GRACE


def time_is_up(attempt, now=None):
    """The deadline has passed: the next post is a final submission, whatever its button."""
    if not attempt.deadline_at:
        return False
    now = now or timezone.now()
    if attempt.enforces_deadline:
        return now >= attempt.deadline_at
    return now > attempt.deadline_at + DEADLINE_GRACE


def time_up_message(attempt):
    deadline = timezone.localtime(attempt.deadline_at)
    return _(
        "Time ran out at %(time)s. Your attempt was marked with the answers saved before "
        "then; anything sent after that was not counted."
    ) % {"time": deadline.strftime("%H:%M (%Z)")}


def _lock_open(attempt, now):
    """The attempt's row, locked until the transaction ends; refused if closed or too late.
    Call inside transaction.atomic()."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    locked.quiz = attempt.quiz
    if not locked.is_open:
        raise AttemptClosed(_("This attempt was already submitted."))
    if past_cutoff(locked, now):
        raise TooLate(time_up_message(locked))
    return locked


def save_draft(attempt, answers, now=None):
    """Keep unsubmitted answers (the whole form) so the learner can resume later. Returns False,
    storing nothing, if the attempt is closed or its hard deadline has passed."""
    draft = {str(k): v for k, v in answers.items()}
    try:
        with transaction.atomic():
            now = now or timezone.now()
            _lock_open(attempt, now)
            Attempt.objects.filter(pk=attempt.pk).update(draft_answers=draft, draft_saved_at=now)
    except (AttemptClosed, TooLate):
        return False
    attempt.draft_answers, attempt.draft_saved_at = draft, now
    return True


def save_answer(attempt, question_id, choice_ids, now=None):
    """Save one answer as the learner goes (the autosave), keeping the others. Returns when it
    was saved; raises AttemptClosed or TooLate, storing nothing. `choice_ids` must already be
    checked against the question as shown (forms.AnswerField)."""
    if question_id not in {question["id"] for question in attempt.snapshot}:
        raise QuizError(_("That question is not part of this attempt."))
    with transaction.atomic():
        now = now or timezone.now()
        locked = _lock_open(attempt, now)
        draft = dict(locked.draft_answers or {})
        if choice_ids:
            draft[str(question_id)] = list(choice_ids)
        else:
            draft.pop(str(question_id), None)
        Attempt.objects.filter(pk=attempt.pk).update(draft_answers=draft, draft_saved_at=now)
    attempt.draft_answers, attempt.draft_saved_at = draft, now
    return now


@dataclass
class Submission:
    attempt: Attempt
    newly_submitted: bool


def submit_attempt(attempt, answers, now=None):
    """Score and close the attempt: exactly once, whatever races with it. Past a hard deadline
    the answers given are ignored and the ones saved in time are marked (`timed_out`)."""
    with transaction.atomic():
        # Saves and submissions of one attempt queue on its row, so what the deadline
        # finalisation reads is exactly what was saved before it.
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        locked.quiz = attempt.quiz
        now = now or timezone.now()
        if not locked.is_open:
            attempt.refresh_from_db()
            return Submission(attempt, False)
        timed_out = past_cutoff(locked, now)
        if timed_out:
            answers, late = answers_from_draft(locked.draft_answers), False
            submitted_at = locked.deadline_at
        else:
            submitted_at = now
            late = bool(locked.deadline_at and now > locked.deadline_at + DEADLINE_GRACE)
        rows, total, maximum = [], 0.0, 0.0
        for position, question in enumerate(locked.snapshot, start=1):
            chosen = answers.get(question["id"], [])
            choices = [(c["id"], c["correct"]) for c in question["choices"]]
            points = score_question(question["kind"], question["scoring"], choices, chosen)
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
        closed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            status=AttemptStatus.SUBMITTED,
            submitted_at=submitted_at,
            late=late,
            timed_out=timed_out,
            score=round(total, 4),
            max_score=maximum,
            percent=percent,
            passed=percent >= locked.pass_mark,
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


def finalise_if_expired(attempt, now=None):
    """Close an open attempt whose hard deadline has passed, with the answers saved in time.
    Returns True if it is (now) closed that way."""
    if not (attempt.is_open and past_cutoff(attempt, now)):
        return False
    return submit_attempt(attempt, {}, now=now).attempt.timed_out


def finalise_expired(user, quiz=None, now=None):
    """Finalise this learner's open attempts (at one quiz, or any) past a hard deadline."""
    now = now or timezone.now()
    expired = Attempt.objects.filter(
        user=user,
        status=AttemptStatus.IN_PROGRESS,
        deadline_at__lt=now - DEADLINE_GRACE,
        quiz__late_policy=LatePolicy.REJECT,
    ).select_related("quiz")
    if quiz is not None:
        expired = expired.filter(quiz=quiz)
    for attempt in expired:
        finalise_if_expired(attempt, now)


# --- results ----------------------------------------------------------------------------


def has_passed(user, quiz, since=None):
    """Has this learner passed this quiz in an attempt started since `since` (ever, if None)?
    The function other apps call."""
    if not getattr(user, "is_authenticated", False):
        return False
    quiz_id = quiz.pk if isinstance(quiz, Quiz) else quiz
    passes = Attempt.objects.filter(user=user, quiz_id=quiz_id, passed=True)
    if since is not None:
        passes = passes.filter(started_at__gte=since)
    return passes.exists()


@dataclass(frozen=True)
class Feedback:
    """What a result page may show. `items`: for each question, whether it was right, the
    learner's own answer when it was not, and the explanation. `key`: which choices are
    correct, and every choice's feedback."""

    items: bool = False
    key: bool = False


def key_released(user, quiz):
    """May the learner see this quiz's answer key? Only once they have passed it or used every
    attempt in the current window (the host's certification cycle: a pass in an earlier cycle
    releases nothing), and never while an attempt is open (an old result page would be a crib
    sheet)."""
    attempts = Attempt.objects.filter(user=user, quiz=quiz)
    if attempts.filter(status=AttemptStatus.IN_PROGRESS).exists():
        return False
    since = conf.attempts_count_since(user, quiz)
    if since is not None:
        attempts = attempts.filter(started_at__gte=since)
    if attempts.filter(passed=True).exists():
        return True
    return bool(quiz.attempts_allowed) and attempts.count() >= quiz.attempts_allowed


def feedback_for(attempt):
    """The `Feedback` this finished attempt's result page may show, by the quiz's mode. A
    summative quiz shows nothing per question until the key is released, whatever the mode."""
    quiz = attempt.quiz
    if attempt.is_open or quiz.feedback_mode == FeedbackMode.NEVER:
        return Feedback()
    released = key_released(attempt.user, quiz)
    if quiz.summative and not released:
        return Feedback()
    key = released and quiz.feedback_mode == FeedbackMode.KEY_WHEN_DONE
    # A rejected (late) attempt scored nothing, so "which were wrong" would say nothing true.
    return Feedback(items=key or attempt.status == AttemptStatus.SUBMITTED, key=key)
