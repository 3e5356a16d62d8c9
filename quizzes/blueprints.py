"""Blueprinted draws: "draw N questions" with a number per tag, so every attempt covers every
topic. Plain functions on tags and counts (no database), shared by the draw, the editor's
validation and the editor's pool-size table.

A question tagged with more than one blueprint tag counts for the first of those rows (in the
blueprint's order), so the pools never overlap and a row's pool size is exact.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _


def split_tags(text):
    """The tags of a comma-separated string, stripped and lower-cased (as `Question.tag_list`)."""
    return [tag.strip().lower() for tag in (text or "").split(",") if tag.strip()]


def eligible(jurisdiction_lists, code):
    """For each question (its jurisdiction codes), whether a learner with `code` gets it:
    untagged questions are for everyone; tagged ones only for those codes ("" or "general":
    untagged only)."""
    code = (code or "").strip().lower()
    return [not codes or (bool(code) and code in codes) for codes in jurisdiction_lists]


def jurisdictions_seen(jurisdiction_lists):
    """The codes the questions are tagged with, sorted."""
    return sorted({code for codes in jurisdiction_lists for code in codes})


def normalise_tag(tag):
    return (tag or "").strip().lower()


@dataclass
class RowPool:
    tag: str
    count: int
    pool: int

    @property
    def too_small(self):
        """Every attempt would get the same questions for this tag (or cannot get enough)."""
        return self.pool <= self.count


def assign(rows, tag_lists):
    """For each question (its tag list), the index of the blueprint row it counts for, or None.
    `rows` are (tag, count) pairs in the blueprint's order."""
    order = {}
    for index, (tag, _count) in enumerate(rows):
        order.setdefault(normalise_tag(tag), index)
    assigned = []
    for tags in tag_lists:
        matches = [order[tag] for tag in tags if tag in order]
        assigned.append(min(matches) if matches else None)
    return assigned


def pools(rows, tag_lists):
    """Pool size per blueprint row: how many questions it can draw from."""
    assigned = assign(rows, tag_lists)
    return [
        RowPool(normalise_tag(tag), count, sum(1 for a in assigned if a == index))
        for index, (tag, count) in enumerate(rows)
    ]


def errors(rows, tag_lists, questions_to_draw):
    """Problems that make the blueprint impossible, as (row index or None, message)."""
    problems = []
    seen = set()
    for index, row in enumerate(pools(rows, tag_lists)):
        if row.tag in seen:
            problems.append(
                (index, _("The tag “%(tag)s” is already in the blueprint.") % {"tag": row.tag})
            )
            continue
        seen.add(row.tag)
        if row.count > row.pool:
            problems.append(
                (
                    index,
                    _("“%(tag)s” asks for %(count)s questions but its pool holds %(pool)s.")
                    % {"tag": row.tag, "count": row.count, "pool": row.pool},
                )
            )
    total = sum(count for _tag, count in rows)
    if rows and questions_to_draw and total > questions_to_draw:
        problems.append(
            (
                None,
                _("The blueprint asks for %(total)s questions but the quiz draws %(n)s.")
                % {"total": total, "n": questions_to_draw},
            )
        )
    return problems


def draw(questions, rows, questions_to_draw, rng):
    """Draw for a blueprint: `count` questions from each row's pool, then the rest of
    `questions_to_draw` (if larger than the blueprint's total) from the questions left.
    `questions` must come in a stable order; the result is in that order."""
    assigned = assign(rows, [question.tag_list for question in questions])
    chosen = set()
    for index, (_tag, count) in enumerate(rows):
        pool = [q for q, a in zip(questions, assigned, strict=True) if a == index]
        chosen.update(q.pk for q in rng.sample(pool, min(count, len(pool))))
    extra = (questions_to_draw or 0) - len(chosen)
    if extra > 0:
        rest = [q for q in questions if q.pk not in chosen]
        chosen.update(q.pk for q in rng.sample(rest, min(extra, len(rest))))
    return [q for q in questions if q.pk in chosen]
