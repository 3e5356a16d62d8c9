"""Language guard: wording the Luxembourg Terminology Guidelines ask us to avoid.

The Terminology Guidelines for the Protection of Children from Sexual Exploitation and Sexual
Abuse (ECPAT / Interagency Working Group, Luxembourg, 2016) explain why some common phrases blame
children or play down abuse, and what to say instead. ``AVOID_TERMS`` lists those phrases;
``find_avoid_terms`` and ``scan_values`` find them in lesson text so the Wagtail admin can *warn*
editors while they write. Nothing here blocks saving or publishing.

This module is pure Python (no models, no database) so it can be tested and reused anywhere.

How text is scanned
-------------------
* Terms match case-insensitively, on word boundaries, with plurals and common inflections
  ("child prostitutes", "Child-Pornography", "under-age sex"). Words may be separated by any
  whitespace (including non-breaking spaces and one line break) or a hyphen, but not by a blank
  line, so a phrase never runs across paragraphs.
* Input that looks like HTML (a tag or an entity) is converted to text first: ``<script>``,
  ``<style>`` and comments are dropped, block tags (``p``, ``li``, ``h2``, ``br``...) become blank
  lines, inline tags (``b``, ``a``, ``span``...) are removed without adding a space, and entities
  are unescaped. So ``<b>child</b> pornography`` is found. ``Finding.start``/``end`` are offsets
  into that stripped text, not into the HTML.
* When two terms overlap, the earlier (then longer) match wins, so one phrase gives one warning.

Exceptions (only for terms with ``allow_in_law_names=True``: child prostitute(s), child
prostitution, child pornography). These words still appear in the official names of laws and
treaties, and editors must be able to cite them. A match is *not* reported when, within the same
sentence (a sentence ends at ``.``, ``!`` or ``?`` followed by a space, or at a line break):

1. **Quoted**: it sits inside double quotes (``"..."``), curly quotes (``“...”``, ``‘...’``) or
   guillemets (``«...»``), i.e. a quote opens before it and closes after it.
2. **Start of a law name**: every word of the match is capitalised and it is followed, after
   optional capitalised words, ``of``/``and``/``the``/``on``/``for``/``to``/``in``/``against``,
   years or commas, by a capitalised law word: Act, Law, Statute, Convention, Protocol,
   Directive, Code or Ordinance. "Child Pornography Prevention Act of 1996" is allowed;
   "child pornography is illegal" is not.
3. **Inside a law name**: a singular capitalised law word earlier in the sentence is followed by
   a title preposition (on, of, to, against, concerning, regarding, relating, for), optionally
   after an identifier such as ``2011/93/EU``, and every word between it and the match
   is capitalised, a number, a comma or one of a few words used in such titles (``_TITLE_WORDS``:
   "the", "sale", "children", "sexual", "exploitation"...). "Optional Protocol to the Convention
   on the Rights of the Child on the sale of children, child prostitution and child pornography"
   is allowed. Any other word ("says", "bans", "is") ends the title, so "The Convention on the
   Rights of the Child says child pornography..." is reported. If the match directly follows a
   comma it must also be followed by "and", "or" or a comma (a list in the title), so
   "Under the Act of 1996, child pornography is illegal" is reported. Plurals never open a title
   ("Acts of child prostitution..."), and only Convention, Protocol and Directive may open one
   at the start of a sentence unless an identifier follows ("Law on child prostitution..." is
   reported; "Directive 2011/93/EU on ... child pornography" is not).

The heuristic deliberately errs towards warning: a false warning costs an editor a glance, a
missed one leaves harmful wording on the site. Known gap: a list right after a law name
("Under the Act on X, child prostitution and trafficking...") is treated as part of the title.

To add a term, add an ``AvoidTerm`` to ``AVOID_TERMS`` (a space in the regex means "whitespace
or hyphen"), add a test in ``tests/courses/test_terminology.py`` and a row in
``docs/terminology.md``.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "AVOID_TERMS",
    "AvoidTerm",
    "Finding",
    "find_avoid_terms",
    "html_to_text",
    "scan_values",
    "summarise",
]


@dataclass(frozen=True)
class AvoidTerm:
    """A phrase to avoid, what to say instead, and why."""

    key: str
    pattern: re.Pattern[str]
    suggestion: str
    reason: str
    allow_in_law_names: bool = False


@dataclass(frozen=True)
class Finding:
    """One occurrence of an avoid-term in a piece of text."""

    term: AvoidTerm
    match: str  # the text as written (after HTML stripping), e.g. "Child Prostitutes"
    start: int
    end: int
    context: str  # the match with up to ~40 characters either side, whitespace collapsed
    field: str = ""


# A literal space in a term's regex means: whitespace (incl. non-breaking, at most one line
# break, so a phrase never runs across paragraphs) or a hyphen.
_SEP = r"(?:[^\S\n]*[-\u2010\u2011][^\S\n]*|[^\S\n]*\n[^\S\n]*|[^\S\n]+)"


def _term(
    key: str, regex: str, suggestion: str, reason: str, *, allow_in_law_names: bool = False
) -> AvoidTerm:
    pattern = re.compile(regex.replace(" ", _SEP), re.IGNORECASE)
    return AvoidTerm(key, pattern, suggestion, reason, allow_in_law_names)


_UNDERAGE = r"under(?: )?aged?"

AVOID_TERMS: tuple[AvoidTerm, ...] = (
    _term(
        "child-prostitute",
        r"\bchild(?:ren)? prostitutes?\b",
        "child who has been sexually exploited",
        "Children cannot consent to their own exploitation; 'prostitute' implies a choice and "
        "puts the blame on the child.",
        allow_in_law_names=True,
    ),
    _term(
        "child-prostitution",
        rf"\b(?:child(?:ren)?(?:['’]s)?|teen(?:age)?|{_UNDERAGE}|juvenile) prostitution\b",
        "sexual exploitation of children",
        "Children cannot consent to their own exploitation; 'prostitution' implies a choice.",
        allow_in_law_names=True,
    ),
    _term(
        "teen-prostitute",
        rf"\b(?:teen(?:age[ds]?)?|{_UNDERAGE}|juvenile|minor) prostitutes?\b",
        "child who has been sexually exploited",
        "Anyone under 18 is a child; 'teen' or 'juvenile' does not turn exploitation into a "
        "choice.",
    ),
    _term(
        "child-pornography",
        r"\b(?:child(?:ren)?(?:['’]s)?|kidd(?:ie|y)) porn(?:ography|ographic|o)?\b",
        "child sexual abuse material",
        "'Pornography' suggests consenting adults and legitimacy; this material records the "
        "sexual abuse of a child.",
        allow_in_law_names=True,
    ),
    _term(
        "child-sex-worker",
        rf"\b(?:child(?:ren)?|teen(?:age)?|{_UNDERAGE}|juvenile|minor) sex(?: )?work(?:ers?)?\b",
        "child who has been sexually exploited",
        "'Sex work' implies an occupation chosen by an adult; a child cannot be a sex worker.",
    ),
    _term(
        "child-sex-tourism",
        r"\bchild(?:ren)? sex(?:ual)? tourism\b",
        "sexual exploitation of children in travel and tourism",
        "'Tourism' trivialises the crime and hides that offenders are also business travellers, "
        "migrants and locals.",
    ),
    _term(
        "child-sex-tourist",
        r"\bchild(?:ren)? sex(?:ual)? tourists?\b",
        "travelling child sex offender",
        "Calling an offender a 'tourist' trivialises the crime; name them as an offender.",
    ),
    _term(
        "sex-with-child",
        r"\bsex with (?:(?:an?|the|this|that) )?(?:"
        r"(?:(?:young|little) )?(?:child(?:ren)?|minors?|kids?)"
        rf"|{_UNDERAGE} (?:girls?|boys?|child(?:ren)?|people|persons?)"
        r"|\d{1,2} years? olds?)\b",
        "sexual abuse of a child",
        "'Sex' implies a mutual act; any sexual act with a child is abuse.",
    ),
    _term(
        "underage-sex",
        rf"\b{_UNDERAGE} sex\b(?![\s-]*work)",
        "sexual abuse of a child",
        "'Underage sex' frames abuse as sex that merely came too early; a child cannot consent.",
    ),
    _term(
        "revenge-porn",
        r"\brevenge porn(?:ography|o)?\b",
        "image-based sexual abuse",
        "'Revenge' suggests the victim provoked it and 'porn' suggests consent (not in the "
        "Luxembourg Guidelines, but widely recommended).",
    ),
)


# --- HTML to text -----------------------------------------------------------------------------

_HTML_HINT = re.compile(r"<[A-Za-z!/]|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
_HTML_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|dd|div|dl|dt|embed|figcaption|figure|footer|"
    r"h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")


def html_to_text(text: str) -> str:
    """Return ``text`` as plain text if it looks like HTML (see module docstring), else as is."""
    if not _HTML_HINT.search(text):
        return text
    text = _HTML_DROP.sub("", text)
    text = _BLOCK_TAG.sub("\n\n", text)
    text = _ANY_TAG.sub("", text)
    return html.unescape(text)


# --- Exceptions for law names and quotations --------------------------------------------------

# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s|$)|\n")
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ("«", "»"))

_LAW_WORD = r"(?:Acts?|Laws?|Statutes?|Conventions?|Protocols?|Directives?|Codes?|Ordinances?)"
# Openers of a title that continues with the law's subject ("the Act on ...", "Protocol to ...").
_TITLE_OPENER = re.compile(r"\b(?:Act|Law|Statute|Convention|Protocol|Directive|Code|Ordinance)\b")
# Words that may open a sentence as a title ("Directive ... on ..."), unlike "Act"/"Law"/"Code".
_TITLE_OPENERS_AT_SENTENCE_START = frozenset({"Convention", "Protocol", "Directive"})
_FOLLOWED_BY_LAW_WORD = re.compile(
    r"(?:,?[^\S\n]+(?:[A-Z][\w’'-]*|of|and|the|on|for|to|in|against|\d[\w/.-]*)){0,8}?"
    rf",?[^\S\n]+{_LAW_WORD}\b"
)
_TITLE_PREPOSITIONS = frozenset(
    {"on", "of", "to", "against", "concerning", "regarding", "relating", "for"}
)
_TITLE_WORDS = _TITLE_PREPOSITIONS | frozenset(
    {
        "a", "an", "and", "or", "the", "in", "with", "by",
        "abuse", "child", "children", "combating", "combatting", "council", "decision",
        "especially", "exploitation", "framework", "persons", "pornography", "prevention",
        "preventing", "prostitution", "protection", "protecting", "punishing", "punishment",
        "replacing", "rights", "sale", "sexual", "suppressing", "suppression", "trafficking",
        "women",
    }
)  # fmt: skip
_TITLE_WORD_RE = re.compile(r"[\w’'/.-]+|[^\w\s]")
_LIST_CONTINUES = re.compile(r"[^\S\n]*(?:,|and\b|or\b)")
_MAX_TITLE_WORDS = 30


def _is_quoted(before: str, after: str) -> bool:
    if before.count('"') % 2 == 1 and '"' in after:
        return True
    return any(
        before.rfind(opening) > before.rfind(closing) and closing in after
        for opening, closing in _QUOTE_PAIRS
    )


def _starts_law_name(match: str, after: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", match)
    if not all(word[0].isupper() for word in words):
        return False
    return _FOLLOWED_BY_LAW_WORD.match(after) is not None


def _inside_law_name(before: str, after: str) -> bool:
    for law_word in _TITLE_OPENER.finditer(before):
        words = _TITLE_WORD_RE.findall(before[law_word.end() :])
        if not words or len(words) > _MAX_TITLE_WORDS:
            continue
        rest = words[:]
        while rest and any(char.isdigit() for char in rest[0]):
            rest.pop(0)  # an identifier such as "2011/93/EU"
        if not rest or rest[0] not in _TITLE_PREPOSITIONS:
            continue
        at_sentence_start = not before[: law_word.start()].strip()
        has_identifier = len(rest) < len(words)
        if (
            at_sentence_start
            and not has_identifier
            and law_word.group() not in _TITLE_OPENERS_AT_SENTENCE_START
        ):
            continue  # "Act on child prostitution..." opening a sentence is too ambiguous
        if not all(
            word == ","
            or word[0].isupper()
            or any(char.isdigit() for char in word)
            or word in _TITLE_WORDS
            for word in words
        ):
            continue
        if words[-1] == "," and not _LIST_CONTINUES.match(after):
            continue
        return True
    return False


def _allowed(text: str, start: int, end: int, sentence_ends: list[tuple[int, int]]) -> bool:
    """True if the match is quoted or part of a law/treaty name (see module docstring)."""
    ends = [e for _, e in sentence_ends]
    starts = [s for s, _ in sentence_ends]
    i = bisect.bisect_right(ends, start)
    sentence_start = ends[i - 1] if i else 0
    j = bisect.bisect_left(starts, end)
    sentence_end = sentence_ends[j][1] if j < len(sentence_ends) else len(text)
    before = text[sentence_start:start]
    after = text[end:sentence_end]
    return (
        _is_quoted(before, after)
        or _starts_law_name(text[start:end], after)
        or _inside_law_name(before, after)
    )


# --- Public API -------------------------------------------------------------------------------

_CONTEXT_CHARS = 40


def _context(text: str, start: int, end: int) -> str:
    lo = max(0, start - _CONTEXT_CHARS)
    hi = min(len(text), end + _CONTEXT_CHARS)
    left, right = text[lo:start], text[end:hi]
    if lo > 0 and left and not left[0].isspace() and not text[lo - 1].isspace():
        left = left.split(None, 1)[1] if len(left.split(None, 1)) == 2 else ""  # part word
    if hi < len(text) and right and not right[-1].isspace() and not text[hi].isspace():
        right = right.rsplit(None, 1)[0] if len(right.rsplit(None, 1)) == 2 else ""
    snippet = " ".join((left + text[start:end] + right).split())
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")


def find_avoid_terms(text: str, field: str = "") -> list[Finding]:
    """Return the avoid-terms in ``text`` (plain text or HTML), in order of appearance."""
    if not text:
        return []
    text = html_to_text(str(text))
    sentence_ends = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
    candidates = []
    for term in AVOID_TERMS:
        for m in term.pattern.finditer(text):
            if term.allow_in_law_names and _allowed(text, m.start(), m.end(), sentence_ends):
                continue
            candidates.append((m.start(), -m.end(), term))
    findings: list[Finding] = []
    last_end = -1
    for start, neg_end, term in sorted(candidates, key=lambda c: (c[0], c[1])):
        end = -neg_end
        if start < last_end:
            continue  # overlaps a phrase already reported
        last_end = end
        findings.append(
            Finding(term, text[start:end], start, end, _context(text, start, end), field)
        )
    return findings


def _normalise(match: str) -> str:
    return " ".join(match.split())


def scan_values(values: Iterable[tuple[str, str]]) -> list[Finding]:
    """Scan ``(field_name, text)`` pairs; one finding per field, term and wording."""
    seen: set[tuple[str, str, str]] = set()
    findings: list[Finding] = []
    for field, text in values:
        for finding in find_avoid_terms(text, field=field):
            key = (field, finding.term.key, _normalise(finding.match).lower())
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def summarise(
    findings: Iterable[Finding], field_labels: Mapping[str, str] | None = None
) -> list[str]:
    """One message per term, e.g. '"child prostitute" (in Body): say "..." instead. Why.'"""
    labels = field_labels or {}
    grouped: dict[str, tuple[AvoidTerm, dict[str, str], dict[str, None]]] = {}
    for finding in findings:
        term, matches, fields = grouped.setdefault(finding.term.key, (finding.term, {}, {}))
        written = _normalise(finding.match)
        matches.setdefault(written.lower(), written)
        if finding.field:
            fields[labels.get(finding.field, finding.field)] = None
    messages = []
    for term, matches, fields in grouped.values():
        quoted = ", ".join(f'"{written}"' for written in matches.values())
        where = f" (in {', '.join(fields)})" if fields else ""
        messages.append(f'{quoted}{where}: say "{term.suggestion}" instead. {term.reason}')
    return messages
