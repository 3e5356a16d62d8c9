"""Item analysis: which questions learners get wrong, and how well each one discriminates.

The formulas are Moodle's quiz statistics (https://docs.moodle.org/dev/Quiz_statistics_calculations):

- facility index F = mean(item score / item max) × 100;
- standard deviation = sample SD (n − 1) of item score / item max, × 100;
- discrimination index = 100 × Pearson r between the item score and the score on the rest
  of the test (attempt total − item score), over the attempts that included the item;
- Cronbach's alpha = k/(k − 1) × (1 − Σ item variances / variance of totals).

Which attempts count: submitted ones only (never in-progress or rejected-as-late), and by
default only each learner's first submitted attempt (the lowest submitted number), as Moodle
does by default; later attempts are practice on questions the learner has seen.

Cronbach's alpha needs every learner to have answered the same items. It is computed over
the attempts that include every question seen in the analysis (all of them for a fixed quiz;
after an editor adds or removes a question, the attempts on one version of it). When fewer
than two attempts include them all (a quiz that draws questions at random), alpha is None and
`alpha_note` says why: there is no honest way to compare totals over different items.

The database is read by `analyse_quiz` alone, in at most four queries whatever the number of
attempts (attempts, answers, the live questions, a few snapshots for labels); everything else
is pure functions on plain rows, so it can be tested without a database.
"""

import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

# Variances below this are treated as zero (all scores equal, up to float rounding).
EPSILON = 1e-12


# --- plain statistics -------------------------------------------------------------------


def mean(values):
    return statistics.fmean(values) if values else None


def sample_variance(values):
    """Variance with n − 1 in the denominator; None for fewer than two values."""
    return statistics.variance(values) if len(values) >= 2 else None


def sample_sd(values):
    return statistics.stdev(values) if len(values) >= 2 else None


def median(values):
    return statistics.median(values) if values else None


def pearson(xs, ys):
    """Pearson's r, or None when undefined (fewer than two pairs, or a constant variable)."""
    if len(xs) < 2 or len(xs) != len(ys):
        return None
    # Sums of squared deviations (n × population variance), as the formula states them.
    n = len(xs)
    if n * statistics.pvariance(xs) <= EPSILON or n * statistics.pvariance(ys) <= EPSILON:
        return None
    return max(-1.0, min(1.0, statistics.correlation(xs, ys)))


def cronbach_alpha(matrix):
    """Alpha for rows of item scores (one row per attempt, the same k items in each).

    k/(k − 1) × (1 − Σ var(item) / var(total)), sample variances. None when undefined:
    fewer than two items or two rows, or totals that do not vary.
    """
    if len(matrix) < 2:
        return None
    k = len(matrix[0])
    if k < 2:
        return None
    item_variances = [sample_variance([row[i] for row in matrix]) for i in range(k)]
    total_variance = sample_variance([math.fsum(row) for row in matrix])
    if total_variance is None or total_variance <= EPSILON:
        return None
    return k / (k - 1) * (1 - math.fsum(item_variances) / total_variance)


# --- results ----------------------------------------------------------------------------


@dataclass
class ChoiceStats:
    choice_id: int
    text: str
    correct: bool
    count: int
    rate: float  # % of the attempts that included the question


@dataclass
class QuestionStats:
    question_id: int
    text: str
    attempts: int
    facility: float | None  # %
    sd: float | None  # % of the item's max
    discrimination: float | None  # 100 × r
    choices: list = field(default_factory=list)
    unanswered: int = 0  # attempts that left it blank
    in_quiz: bool = True  # still in the quiz's pool

    @property
    def unanswered_rate(self):
        return 100 * self.unanswered / self.attempts if self.attempts else None


@dataclass
class WholeTestStats:
    attempts: int
    mean: float | None  # % score
    sd: float | None
    median: float | None
    alpha: float | None
    alpha_attempts: int = 0  # attempts alpha was computed over
    alpha_items: int = 0
    alpha_note: str = ""


@dataclass
class Analysis:
    first_only: bool
    test: WholeTestStats
    questions: list


# --- pure functions on plain rows -------------------------------------------------------


def select_attempts(attempt_rows, first_only=True):
    """Ids of the attempts to analyse, from (id, user_id, number, status) rows.

    Submitted only; with `first_only`, each learner's lowest-numbered submitted attempt.
    """
    submitted = [row for row in attempt_rows if row[3] == "submitted"]
    if not first_only:
        return {row[0] for row in submitted}
    first = {}
    for attempt_id, user_id, number, _status in submitted:
        if user_id not in first or number < first[user_id][1]:
            first[user_id] = (attempt_id, number)
    return {attempt_id for attempt_id, _number in first.values()}


def analyse(answer_rows, *, labels=None, order=None, live_ids=None, first_only=True):
    """The analysis of some answers: (attempt_id, question_id, choice_ids, score, max_score).

    Pass only the rows of the attempts to analyse. `labels` maps a question id to
    {"text": ..., "choices": [{"id", "text", "correct"}, ...]} (from a snapshot); `order`
    is a list of question ids to list first, in that order (the rest follow by id);
    `live_ids` the ids still in the quiz (None: all of them).
    """
    labels = labels or {}
    # attempt -> {question: (score, max)}; question -> [(attempt, score, max, choice ids)]
    by_attempt = defaultdict(dict)
    by_question = defaultdict(list)
    for attempt_id, question_id, choice_ids, score, max_score in answer_rows:
        by_attempt[attempt_id][question_id] = (score, max_score)
        by_question[question_id].append((attempt_id, score, max_score, choice_ids or ()))

    totals = {
        attempt_id: (
            math.fsum(s for s, _m in items.values()),
            math.fsum(m for _s, m in items.values()),
        )
        for attempt_id, items in by_attempt.items()
    }
    rank = {qid: n for n, qid in enumerate(order or [])}
    question_ids = sorted(by_question, key=lambda qid: (qid not in rank, rank.get(qid, 0), qid))
    questions = [
        question_stats(
            qid, by_question[qid], totals, labels.get(qid), live_ids is None or qid in live_ids
        )
        for qid in question_ids
    ]
    return Analysis(first_only, whole_test_stats(by_attempt, totals, question_ids), questions)


def question_stats(question_id, rows, totals, label, in_quiz=True):
    """Facility, SD, discrimination and choice rates of one question from its answer rows."""
    n = len(rows)
    fractions = [score / max_score if max_score else 0.0 for _a, score, max_score, _c in rows]
    scores = [score for _a, score, _m, _c in rows]
    rest = [totals[attempt_id][0] - score for attempt_id, score, _m, _c in rows]
    sd = sample_sd(fractions)
    r = pearson(scores, rest)

    counts = defaultdict(int)
    unanswered = 0
    for _a, _s, _m, choice_ids in rows:
        if not choice_ids:
            unanswered += 1
        for choice_id in set(choice_ids):
            counts[choice_id] += 1
    label = label or {}
    choices = []
    for choice in label.get("choices", []):
        count = counts.pop(choice["id"], 0)
        choices.append(
            ChoiceStats(
                choice["id"],
                choice.get("text", ""),
                bool(choice.get("correct")),
                count,
                100 * count / n,
            )
        )
    for choice_id in sorted(counts):  # selected, but unknown to the label: keep the figure
        count = counts[choice_id]
        choices.append(
            ChoiceStats(choice_id, f"Choice #{choice_id}", False, count, 100 * count / n)
        )
    return QuestionStats(
        question_id=question_id,
        text=label.get("text") or f"Question #{question_id}",
        attempts=n,
        facility=100 * mean(fractions),
        sd=None if sd is None else 100 * sd,
        discrimination=None if r is None else 100 * r,
        choices=choices,
        unanswered=unanswered,
        in_quiz=in_quiz,
    )


def whole_test_stats(by_attempt, totals, question_ids):
    """Whole-test figures: % score mean, SD, median, and Cronbach's alpha."""
    percents = [100 * score / maximum if maximum else 0.0 for score, maximum in totals.values()]
    k = len(question_ids)
    complete = [items for items in by_attempt.values() if len(items) == k]
    alpha, note = None, ""
    if k < 2:
        note = "Alpha needs at least two questions."
    elif len(complete) < 2:
        note = (
            "No two attempts share every question (questions are drawn at random or the "
            "quiz changed), so Cronbach's alpha is not computed."
        )
    else:
        alpha = cronbach_alpha([[items[qid][0] for qid in question_ids] for items in complete])
        if alpha is None:
            note = "Total scores do not vary, so alpha is undefined."
        elif len(complete) < len(by_attempt):
            note = (
                f"Computed over the {len(complete)} of {len(by_attempt)} attempts that "
                f"include all {k} questions."
            )
    return WholeTestStats(
        attempts=len(totals),
        mean=mean(percents),
        sd=sample_sd(percents),
        median=median(percents),
        alpha=alpha,
        alpha_attempts=len(complete) if alpha is not None else 0,
        alpha_items=k if alpha is not None else 0,
        alpha_note=note,
    )


def snapshots_to_fetch(answer_rows):
    """Attempt ids whose snapshots label everything: for each question and each selected
    choice, the latest attempt that showed it. At most one per question and choice."""
    # First the latest attempt per (question, answer) pair, of which there are few...
    latest_answer = {}
    for attempt_id, question_id, choice_ids, _score, _max in answer_rows:
        key = (question_id, tuple(choice_ids or ()))
        if latest_answer.get(key, -1) < attempt_id:
            latest_answer[key] = attempt_id
    # ...then per question and per choice.
    latest = {}
    for (question_id, choice_ids), attempt_id in latest_answer.items():
        for key in [("q", question_id), *(("c", c) for c in choice_ids)]:
            if latest.get(key, -1) < attempt_id:
                latest[key] = attempt_id
    return set(latest.values())


def labels_from_snapshots(snapshots):
    """{question id: {"text", "choices"}} from snapshots, the later attempt winning.

    `snapshots` is a list of (attempt_id, snapshot). Choices only in older snapshots (removed
    since, but chosen then) are kept after the latest snapshot's own choices.
    """
    labels = {}
    for _attempt_id, snapshot in sorted(snapshots, key=lambda pair: pair[0], reverse=True):
        for question in snapshot or []:
            label = labels.setdefault(
                question["id"], {"text": question.get("text", ""), "choices": []}
            )
            known = {choice["id"] for choice in label["choices"]}
            for choice in question.get("choices", []):
                if choice["id"] not in known:
                    label["choices"].append(
                        {
                            "id": choice["id"],
                            "text": choice.get("text", ""),
                            "correct": bool(choice.get("correct")),
                        }
                    )
    return labels


# --- the one function that reads the database ------------------------------------------


def _in_attempts(quiz, field):
    """The distinct values of `field` over the quiz's submitted attempts, sorted."""
    from .models import Attempt, AttemptStatus

    return sorted(
        set(
            Attempt.objects.filter(
                quiz_id=getattr(quiz, "pk", quiz), status=AttemptStatus.SUBMITTED
            ).values_list(field, flat=True)
        )
    )


def jurisdictions_in_attempts(quiz):
    """The jurisdiction codes of the quiz's submitted attempts ("" for general), sorted."""
    return _in_attempts(quiz, "jurisdiction")


def languages_in_attempts(quiz):
    """The language codes the quiz's submitted attempts were shown in, sorted."""
    return _in_attempts(quiz, "language")


def analyse_quiz(quiz, first_only=True, jurisdiction=None, language=None):
    """The analysis of a quiz (or quiz id) from the database, in at most four queries.
    `jurisdiction` (a code, "" for general) keeps only attempts started in it; None: all.
    `language` (a language code) keeps only attempts shown in it; None: all. Attempts in
    every language are of the source quiz's questions (quizzes.translations), so the figures
    for a question gather all its translations."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from .models import Attempt, AttemptAnswer, AttemptStatus, Question

    quiz_id = getattr(quiz, "pk", quiz)
    attempts = Attempt.objects.filter(quiz_id=quiz_id, status=AttemptStatus.SUBMITTED)
    if jurisdiction is not None:
        attempts = attempts.filter(jurisdiction=jurisdiction)
    if language is not None:
        attempts = attempts.filter(language=language)
    attempt_rows = attempts.values_list("id", "user_id", "number", "status")
    selected = select_attempts(list(attempt_rows), first_only)
    # Joined on the attempt rather than `attempt_id IN (...)`: one query however many
    # attempts (no parameter limits), filtered to the selection here. The choice ids come
    # as JSON text, decoded once per distinct value: decoding 100,000 small lists one by
    # one (as JSONField does) takes most of the time otherwise.
    decoded = {}
    answer_rows = []
    for attempt_id, question_id, choices_json, score, max_score in (
        AttemptAnswer.objects.filter(
            attempt__quiz_id=quiz_id, attempt__status=AttemptStatus.SUBMITTED
        )
        .annotate(choices_json=Cast("choice_ids", TextField()))
        .values_list("attempt_id", "question_id", "choices_json", "score", "max_score")
    ):
        if attempt_id not in selected:
            continue
        choice_ids = decoded.get(choices_json)
        if choice_ids is None:
            choice_ids = decoded[choices_json] = tuple(json.loads(choices_json or "[]"))
        answer_rows.append((attempt_id, question_id, choice_ids, score, max_score))
    live = list(
        Question.objects.filter(quiz_id=quiz_id)
        .order_by("sort_order", "pk")
        .values_list("id", "text")
    )
    labels = {}
    wanted = snapshots_to_fetch(answer_rows)
    if wanted:
        labels = labels_from_snapshots(
            list(Attempt.objects.filter(pk__in=wanted).values_list("id", "snapshot"))
        )
    for question_id, text in live:
        labels.setdefault(question_id, {"text": text, "choices": []})
    return analyse(
        answer_rows,
        labels=labels,
        order=[question_id for question_id, _text in live],
        live_ids={question_id for question_id, _text in live},
        first_only=first_only,
    )
