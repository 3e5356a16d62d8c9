"""Item-writing checks: common flaws in multiple-choice questions that let learners pass by
test-wiseness instead of knowledge, or that teach less than they could.

The checks run on plain data (`Item`), so the same functions check a quiz in the editor
(`check_quiz`) and the demo curriculum's JSON (`item_from_json`). They warn; they never block
saving. Each finding links to its section in docs/authoring.md ("Item-writing checks").
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import blueprints, conf

SINGLE_KEY_KINDS = {"single", "scenario"}

# "Clearly the longest": at least this many times the longest distractor, and this many
# characters longer.
LONGEST_RATIO = 1.5
LONGEST_MARGIN = 20
MIN_OPTIONS = 3
# Keyed answers in one position more than this share of the time, over at least this many
# single-answer questions, when choices are not shuffled.
POSITION_SHARE = 0.6
POSITION_MIN_QUESTIONS = 5
# Item analysis: only once a question has this many analysed attempts.
STATISTICS_MIN_ATTEMPTS = 5
FACILITY_MAX = 95.0  # %

GUIDE_ANCHORS = {
    "longest-key": "keyed-answer-is-the-longest-option",
    "few-options": "fewer-than-three-options",
    "all-none-above": "all-of-the-above-and-none-of-the-above",
    "negative-stem": "negative-stems-without-emphasis",
    "identical-options": "identical-options",
    "no-explanation": "no-explanation",
    "key-position": "keyed-answers-in-the-same-position",
    "negative-discrimination": "negative-discrimination",
    "too-easy": "facility-above-95",
    "small-pool": "blueprints-questions-per-tag",
}

TITLES = {
    "longest-key": _("The keyed answer is clearly the longest option"),
    "few-options": _("Fewer than 3 options"),
    "all-none-above": _("“All of the above” or “None of the above”"),
    "negative-stem": _("Negative question without emphasis"),
    "identical-options": _("Two identical options"),
    "no-explanation": _("No explanation"),
    "key-position": _("Keyed answers mostly in one position"),
    "negative-discrimination": _("Negative discrimination"),
    "too-easy": _("Almost everyone answers correctly"),
    "small-pool": _("A blueprint tag has too few questions"),
}

WHY = {
    "longest-key": _(
        "Learners learn that the longest, most careful answer is right. Make the distractors "
        "as long and as qualified as the key, or shorten the key."
    ),
    "few-options": _(
        "With two options, guessing scores 50%. Add a plausible distractor (a real "
        "misconception) or make it a true/false question."
    ),
    "all-none-above": _(
        "These reward partial knowledge and break when choices are shuffled. Ask about the "
        "options directly (a multiple-answer question)."
    ),
    "negative-stem": _(
        "Readers miss “not” and “except”. Rephrase positively, or put the word in "
        "capitals (NOT, EXCEPT)."
    ),
    "identical-options": _("Two options read the same (ignoring case and spaces)."),
    "no-explanation": _("Learners see why the answer is right only if there is an explanation."),
    "key-position": _(
        "Without shuffled choices, learners can guess the key's position. Move some keys, or "
        "turn on “shuffle choices”."
    ),
    "negative-discrimination": _(
        "Learners who do well on the rest of the quiz get this one wrong more often than "
        "others: check the key and the wording."
    ),
    "too-easy": _(
        "Over 95% answer it correctly, so it tells you little. Fine for a key fact; otherwise "
        "make the distractors more plausible."
    ),
    "small-pool": _(
        "Every attempt gets the same questions for this tag, or, for learners in one "
        "jurisdiction, too few questions are eligible to draw. Add questions with the tag "
        "(untagged by jurisdiction, or for that jurisdiction) or lower its count."
    ),
}


@dataclass(frozen=True)
class Item:
    """A question as the checks see it."""

    text: str
    kind: str = "single"
    explanation: str = ""
    choices: tuple = ()  # (text, is_correct) pairs, in the editor's order
    label: str = ""  # how to name it in a warning, e.g. "Question 3"
    tags: tuple = ()
    jurisdictions: tuple = ()  # codes; empty: for every learner


@dataclass(frozen=True)
class Finding:
    code: str
    subject: str  # the question (or tag, or "The pool") it concerns
    detail: str = ""

    @property
    def title(self):
        return TITLES[self.code]

    @property
    def why(self):
        return WHY[self.code]

    @property
    def anchor(self):
        return GUIDE_ANCHORS[self.code]

    @property
    def guide_url(self):
        base = conf.authoring_guide_url()
        return f"{base}#{self.anchor}" if base else ""

    def __str__(self):
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.subject}: {self.title}{detail}"


# --- one question ------------------------------------------------------------------------

ABOVE = re.compile(r"\b(all|none|both|neither)\s+of\s+the\s+above\b", re.IGNORECASE)
# "Which … not / except …": a question word, then a negative word in the same sentence.
NEGATIVE_STEM = re.compile(
    r"\b(?:which|what)\b[^.?!]*?\b(not|except|\w+n't)\b|\b(except)\b", re.IGNORECASE
)
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
EMPHASIS = re.compile(r"<(strong|b|em)>[^<]*</\1>|\*\*[^*]+\*\*", re.IGNORECASE)


def normalised(text):
    return " ".join((text or "").split()).casefold()


def negative_without_emphasis(stem):
    """A "which … not / except" stem whose negative word is not in capitals or bold (quoted
    speech and emphasised words are left out)."""
    plain = EMPHASIS.sub(" EMPHASISED ", QUOTED.sub(" ", stem or ""))
    words = [m.group(1) or m.group(2) for m in NEGATIVE_STEM.finditer(plain)]
    return any(not word.isupper() for word in words)


def check_item(item):
    """The findings for one question."""
    findings = []
    texts = [text for text, _correct in item.choices]
    keys = [text for text, correct in item.choices if correct]
    distractors = [text for text, correct in item.choices if not correct]
    single_key = item.kind in SINGLE_KEY_KINDS
    if single_key and len(keys) == 1 and distractors:
        key, longest = len(keys[0]), max(len(text) for text in distractors)
        if key >= LONGEST_RATIO * longest and key - longest >= LONGEST_MARGIN:
            findings.append(
                Finding("longest-key", item.label, f"{key} characters against {longest}")
            )
    if single_key and len(texts) < MIN_OPTIONS:
        findings.append(Finding("few-options", item.label, f"{len(texts)} options"))
    if any(ABOVE.search(text) for text in texts):
        findings.append(Finding("all-none-above", item.label))
    if negative_without_emphasis(item.text):
        findings.append(Finding("negative-stem", item.label))
    counts = Counter(normalised(text) for text in texts)
    repeated = [text for text, n in counts.items() if n > 1]
    if repeated:
        findings.append(Finding("identical-options", item.label, f"“{repeated[0]}”"))
    if not (item.explanation or "").strip():
        findings.append(Finding("no-explanation", item.label))
    return findings


# --- the pool ----------------------------------------------------------------------------


def check_pool(items, shuffle_choices=False):
    """Findings about the pool as a whole: keyed answers mostly in one position."""
    if shuffle_choices:
        return []
    positions = []
    for item in items:
        if item.kind not in SINGLE_KEY_KINDS:
            continue
        keyed = [n for n, (_text, correct) in enumerate(item.choices, start=1) if correct]
        if len(keyed) == 1:
            positions.append(keyed[0])
    if len(positions) < POSITION_MIN_QUESTIONS:
        return []
    position, count = Counter(positions).most_common(1)[0]
    if count / len(positions) > POSITION_SHARE:
        return [
            Finding(
                "key-position",
                str(_("The pool")),
                f"{count} of {len(positions)} single-answer keys are option {position}",
            )
        ]
    return []


def check_statistics(question_stats, labels=None):
    """Findings from item analysis (`quizzes.analysis.QuestionStats`), once there is data."""
    labels = labels or {}
    findings = []
    for stats in question_stats:
        if not stats.in_quiz or stats.attempts < STATISTICS_MIN_ATTEMPTS:
            continue
        label = labels.get(stats.question_id) or stats.text[:60]
        if stats.discrimination is not None and stats.discrimination < 0:
            findings.append(
                Finding(
                    "negative-discrimination", label, f"{stats.discrimination:.0f} (item analysis)"
                )
            )
        if stats.facility is not None and stats.facility > FACILITY_MAX:
            findings.append(Finding("too-easy", label, f"facility {stats.facility:.0f}%"))
    return findings


def check_blueprint(rows, tag_lists, jurisdiction_lists=None, questions_to_draw=0):
    """A warning per blueprint row whose pool is no bigger than its count; with questions
    tagged by jurisdiction, also one per jurisdiction (each code used, and general) whose
    eligible questions cannot satisfy a row or the number drawn."""
    findings = [
        Finding("small-pool", f"“{row.tag}”", f"{row.pool} questions for {row.count} drawn")
        for row in blueprints.pools(rows, tag_lists)
        if row.too_small
    ]
    codes = blueprints.jurisdictions_seen(jurisdiction_lists or [])
    if not codes:
        return findings
    for code in [conf.GENERAL, *codes]:
        keep = blueprints.eligible(jurisdiction_lists, "" if code == conf.GENERAL else code)
        eligible_tags = [tags for tags, ok in zip(tag_lists, keep, strict=True) if ok]
        for row in blueprints.pools(rows, eligible_tags):
            if row.pool < row.count:
                findings.append(
                    Finding(
                        "small-pool",
                        f"“{row.tag}” ({_('jurisdiction')} {code})",
                        _("%(pool)s eligible questions for %(count)s drawn")
                        % {"pool": row.pool, "count": row.count},
                    )
                )
        if questions_to_draw and len(eligible_tags) < questions_to_draw:
            findings.append(
                Finding(
                    "small-pool",
                    f"{_('The pool')} ({_('jurisdiction')} {code})",
                    _("%(pool)s eligible questions for %(count)s drawn")
                    % {"pool": len(eligible_tags), "count": questions_to_draw},
                )
            )
    return findings


def check_items(items, shuffle_choices=False):
    findings = []
    for item in items:
        findings.extend(check_item(item))
    return findings + check_pool(items, shuffle_choices)


# --- adapters ----------------------------------------------------------------------------


def question_label(position, text):
    short = " ".join((text or "").split())
    short = short if len(short) <= 60 else short[:59] + "…"
    return f"{_('Question')} {position} “{short}”"


def item_from_question(question, position):
    return Item(
        text=question.text,
        kind=question.kind,
        explanation=question.explanation,
        choices=tuple((c.text, c.is_correct) for c in question.choices.all()),
        label=question_label(position, question.text),
        tags=tuple(question.tag_list),
        jurisdictions=tuple(question.jurisdiction_list),
    )


def item_from_json(data, position):
    """An item from a question in the curriculum JSON (`courses.content.importer`'s format)."""
    return Item(
        text=data["text"],
        kind=data["type"],
        explanation=data.get("explanation", ""),
        choices=tuple((c["text"], bool(c["correct"])) for c in data["choices"]),
        label=question_label(position, data["text"]),
        tags=tuple(blueprints.split_tags(", ".join(data.get("tags", [])))),
        jurisdictions=tuple(
            code.strip().lower() for code in data.get("jurisdictions", []) if code.strip()
        ),
    )


def blueprint_rows(quiz):
    return [(row.tag, row.count) for row in quiz.blueprint.all()]


def blueprint_table(quiz):
    """Pool size per blueprint row, for the editor."""
    return blueprints.pools(blueprint_rows(quiz), [q.tag_list for q in quiz.questions.all()])


def check_quiz(quiz, with_statistics=False):
    """Every finding for a quiz (its questions as held in memory: the edited revision)."""
    questions = list(quiz.questions.all())
    items = [item_from_question(q, n) for n, q in enumerate(questions, start=1)]
    findings = check_items(items, quiz.shuffle_choices)
    findings += check_blueprint(
        blueprint_rows(quiz),
        [q.tag_list for q in questions],
        [q.jurisdiction_list for q in questions],
        quiz.questions_to_draw,
    )
    if with_statistics and quiz.pk:
        from .analysis import analyse_quiz

        labels = {q.pk: item.label for q, item in zip(questions, items, strict=True) if q.pk}
        findings += check_statistics(analyse_quiz(quiz).questions, labels)
    return findings
