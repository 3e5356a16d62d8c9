"""Scoring, server-side and pure: no database, so it can be reasoned about and fuzzed."""

from .models import QuestionKind, Scoring


def score_question(kind, scoring, choices, selected):
    """Points (0..1) for one question.

    `choices` is a list of (choice_id, is_correct); `selected` the chosen ids. Single-answer
    kinds score 1 for exactly the correct choice. Multiple answer is all-or-nothing, or partial:
    each correct choice chosen adds 1/(number correct), each wrong one chosen subtracts
    1/(number wrong), floored at 0 (Moodle's "multiple choice, several answers" rule).
    """
    selected = set(selected)
    correct = {cid for cid, ok in choices if ok}
    wrong = {cid for cid, ok in choices if not ok}
    if kind != QuestionKind.MULTIPLE:
        return 1.0 if len(selected) == 1 and selected <= correct else 0.0
    if scoring == Scoring.ALL_OR_NOTHING:
        return 1.0 if selected == correct else 0.0
    if not correct:
        return 0.0
    gained = len(selected & correct) / len(correct)
    lost = len(selected & wrong) / len(wrong) if wrong else 0.0
    return round(max(0.0, min(1.0, gained - lost)), 6)
