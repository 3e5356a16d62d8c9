"""Build or update a course page tree from a JSON document (the format of
`fixtures/curriculum/*.json`, documented in docs/authoring.md).

Rich text in the file is HTML from outside: it is cleaned (`sanitize.clean_rich_text`) before
it is stored. Importing is idempotent: pages are matched by slug under their parent and updated, and
StreamField blocks get ids derived from their position, so learners' saved reflections stay
attached to the same prompts when a course is imported again.
"""

import contextlib
import json
import uuid
from pathlib import Path

from django.db import transaction
from wagtail.models import Locale

from courses.content.sanitize import clean_rich_text
from courses.models import (
    Audience,
    CourseIndexPage,
    CoursePage,
    Jurisdiction,
    LessonPage,
    ModulePage,
)
from courses.models.jurisdictions import GENERAL, GENERAL_NAME
from quizzes.models import (
    Choice,
    FeedbackMode,
    Question,
    QuestionKind,
    Quiz,
    QuizBlueprintRow,
    Scoring,
)

AUDIENCE_NAMES = {
    "police": "Police and law enforcement",
    "education": "Teachers and school staff",
    "tech": "Tech, trust & safety staff",
}
# Names for the jurisdiction codes of the course files, used when a code is not in the table
# yet (the demo loads fixtures/jurisdictions.json first, with notes).
JURISDICTION_NAMES = {
    GENERAL: GENERAL_NAME,
    "england-wales": "England and Wales",
    "scotland": "Scotland",
    "us": "United States",
    "eu": "European Union",
}
BLOCK_NAMESPACE = uuid.UUID("3f0c6a52-8f7e-4a53-9d7e-6c1b2f9a4e11")


def load_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def stable_id(*parts):
    """A block id derived from its place in the content, identical on every import."""
    return str(uuid.uuid5(BLOCK_NAMESPACE, "/".join(str(part) for part in parts)))


# Rich-text parts of the lesson blocks: HTML from the file, cleaned before it is stored.
RICH_TEXT_PARTS = {"callout": "text", "scenario": "vignette", "video": "transcript"}


def where_you_work_value(value, block_id):
    """A "Where you work" block's stored value from its JSON: cleaned bodies, lower-case
    codes, and list items with ids derived from the block's id and the code."""
    return {
        "heading": value.get("heading", ""),
        "variants": [
            {
                "type": "item",
                "value": {
                    "jurisdiction": variant["jurisdiction"].strip().lower(),
                    "body": clean_rich_text(variant.get("body", "")),
                },
                "id": stable_id(block_id, "variant", variant["jurisdiction"].strip().lower()),
            }
            for variant in value.get("variants", [])
        ],
    }


def where_you_work_json(value):
    """The JSON shape of a stored "Where you work" block value (the inverse of the import)."""
    return {
        "heading": value["heading"],
        "variants": [
            {"jurisdiction": variant["jurisdiction"], "body": variant["body"].source}
            for variant in value["variants"]
        ],
    }


def _body_block(block, block_id):
    kind, value = block["type"], block["value"]
    if kind == "where_you_work":
        return {"type": kind, "value": where_you_work_value(value, block_id), "id": block_id}
    if kind == "heading" and isinstance(value, str):
        value = {"text": value, "level": "h2"}
    elif kind == "paragraph":
        value = clean_rich_text(value)
    elif kind in RICH_TEXT_PARTS and isinstance(value, dict):
        part = RICH_TEXT_PARTS[kind]
        value = {**value, part: clean_rich_text(value.get(part, ""))}
    if kind == "scenario" and isinstance(value, dict):
        # List items with ids, as the editor stores them: wagtail-localize translates only
        # list items that have one, and the ids stay the same on every import.
        value = {
            **value,
            "choices": [
                {"type": "item", "value": choice, "id": stable_id(block_id, "choice", index)}
                for index, choice in enumerate(value.get("choices", []))
            ],
        }
    elif kind == "helplines":
        value = {
            "heading": value.get("heading", "Where to get support"),
            "country": value.get("country", ""),
        }
    return {"type": kind, "value": value, "id": block_id}


def _list_stream(name, items, *id_parts):
    return [
        {"type": name, "value": item, "id": stable_id(*id_parts, name, index)}
        for index, item in enumerate(items)
    ]


def _comparable(page):
    """The page's data with JSON strings (StreamFields) parsed, so key order does not matter
    (PostgreSQL's jsonb does not keep it)."""
    data = {}
    for key, value in page.serializable_data().items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        data[key] = value
    return data


def update_page(page, fields, publish=True, m2m=None):
    """Set `fields` (and many-to-many `m2m`) on a saved page; save a revision, and publish it,
    only when something changed or the page is not live. Returns True if it saved."""
    before = _comparable(page)
    for name, value in fields.items():
        setattr(page, name, value)
    for name, objects in (m2m or {}).items():
        getattr(page, name).set(objects)
    if _comparable(page) == before and page.live and not page.has_unpublished_changes:
        return False
    revision = page.save_revision()
    if publish:
        revision.publish()
    return True


def upsert_child(parent, model, slug, fields, publish=True, m2m=None):
    """The child of `parent` with this slug, created or updated to `fields`."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        for name, objects in (m2m or {}).items():
            getattr(page, name).set(objects)
        revision = page.save_revision()
        if publish:
            revision.publish()
        return page
    update_page(page, fields, publish=publish, m2m=m2m)
    return page


MODULE_QUIZ_RULES = {
    "pass_mark": 80,
    "attempts_allowed": 0,
    "cooldown_minutes": 5,
    "feedback_mode": FeedbackMode.KEY_WHEN_DONE,
}
FINAL_QUIZ_RULES = {
    "pass_mark": 80,
    "attempts_allowed": 3,
    "cooldown_minutes": 60,
    "questions_to_draw": 10,
    "draw_per_tag": False,
    "shuffle_questions": True,
    "shuffle_choices": True,
    "time_limit_minutes": 30,
    "feedback_mode": FeedbackMode.KEY_WHEN_DONE,
    # No feedback per question until a pass or the third attempt; 60 minutes between attempts.
    "summative": True,
}


def ensure_jurisdictions(codes):
    """The jurisdictions with these codes (besides general, which is always offered), created
    with a known name if missing."""
    found = []
    for code in codes:
        code = code.strip().lower()
        if not code or code == GENERAL:
            continue
        jurisdiction, _ = Jurisdiction.objects.get_or_create(
            code=code,
            locale=Locale.get_default(),
            defaults={"name": JURISDICTION_NAMES.get(code, code.replace("-", " ").title())},
        )
        found.append(jurisdiction)
    return found


def module_quiz_title(module):
    """The title editors and learners see: the curriculum's `quiz_title`, if it gives one."""
    return module["quiz"].get("quiz_title") or f"Check your understanding: {module['title']}"


def final_quiz_title(course):
    return course["final_assessment"].get("quiz_title") or f"Final assessment: {course['title']}"


def linked_quiz(module_slug, lesson_slug, course=None):
    """The quiz already attached to this lesson (in `course`, or in any course for a shared
    module), so that a quiz is found again on re-import whatever editors have renamed it to."""
    modules = ModulePage.objects.filter(slug=module_slug)
    if course is not None:
        modules = modules.child_of(course)
    for module in modules.order_by("path"):
        lesson = (
            LessonPage.objects.child_of(module)
            .filter(slug=lesson_slug, quiz__isnull=False)
            .select_related("quiz")
            .first()
        )
        if lesson is not None:
            return lesson.quiz
    return None


def import_quiz(title, data, rules, existing=None):
    """`existing` (the quiz a lesson already holds), or a new published quiz built from `data`.
    An existing quiz is left as editors have it: attempts keep their own snapshots either way."""
    if existing is not None:
        return existing
    quiz = Quiz(
        title=title,
        intro=data.get("intro", ""),
        content_note=data.get("content_note", ""),
        **rules,
    )
    for position, item in enumerate(data["questions"]):
        kind = item["type"]
        question = Question(
            kind=kind,
            text=item["text"],
            vignette=item.get("vignette", ""),
            explanation=item.get("explanation", ""),
            tags=", ".join(item.get("tags", [])),
            jurisdictions=", ".join(code.strip().lower() for code in item.get("jurisdictions", [])),
            scoring=Scoring.PARTIAL if kind == QuestionKind.MULTIPLE else Scoring.ALL_OR_NOTHING,
            sort_order=position,
        )
        question.choices = [
            Choice(
                text=c["text"],
                is_correct=c["correct"],
                feedback=c.get("feedback", ""),
                sort_order=n,
            )
            for n, c in enumerate(item["choices"])
        ]
        quiz.questions.add(question)
    quiz.blueprint = [
        QuizBlueprintRow(tag=row["tag"], count=row["count"], sort_order=n)
        for n, row in enumerate(data.get("blueprint", []))
    ]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


def import_module(course, data, publish=True, key=None, quizzes=None):
    """Create or update a module and its lessons; `quizzes` maps lesson slugs to quizzes."""
    quizzes = quizzes or {}
    key = key or course.slug
    module = upsert_child(
        course,
        ModulePage,
        data["slug"],
        {
            "title": data["title"],
            "intro": clean_rich_text(data.get("intro", "")),
            "objectives": _list_stream("objective", data.get("objectives", []), key, data["slug"]),
        },
        publish,
    )
    for lesson in data["lessons"]:
        lesson_key = (key, data["slug"], lesson["slug"])
        upsert_child(
            module,
            LessonPage,
            lesson["slug"],
            {
                "title": lesson["title"],
                "estimated_minutes": lesson.get("estimated_minutes", 10),
                "content_note": lesson.get("content_note", ""),
                "body": [
                    _body_block(block, stable_id(*lesson_key, "body", index))
                    for index, block in enumerate(lesson["body"])
                ],
                "sources": _list_stream("source", lesson.get("sources", []), *lesson_key),
                "quiz": quizzes.get(lesson["slug"]),
            },
            publish,
        )
    return module


def final_assessment_lesson():
    """The closing lesson that holds a course's final assessment."""
    return {
        "slug": "final-assessment",
        "title": "Final assessment",
        "estimated_minutes": 20,
        "content_note": "",
        "body": [
            {
                "type": "paragraph",
                "value": "<p>The final assessment draws 10 questions from a larger "
                "pool, with questions on every topic of the course, so each attempt is a "
                "little different. You need 80% to pass. "
                "You have three attempts, an hour apart, and 30 minutes for each: if "
                "you need more time, ask the site team for an adjustment.</p>",
            },
            {
                "type": "callout",
                "value": {
                    "kind": "practice_tip",
                    "title": "Take a break first if you need one",
                    "text": "<p>Your progress is saved. Come back when you are ready.</p>",
                },
            },
        ],
        "sources": [],
    }


@transaction.atomic
def import_course(index: CourseIndexPage, data, core_module=None, publish=True, image=None):
    """Create or update the course described by `data` under `index`; `core_module`, if
    given, is a module placed first in the course."""
    fields = {
        "title": data["title"],
        "summary": data["summary"],
        "sensitive_topics": data.get("sensitive_topics", ""),
        "estimated_minutes": data.get("estimated_minutes", 0),
        "certificate_validity_months": data.get("certificate_validity_months", 24),
        "minimum_lesson_time_percent": data.get("minimum_lesson_time_percent", 0),
        "learning_objectives": _list_stream("objective", data.get("objectives", []), data["slug"]),
        "topics_covered": _list_stream("topic", data.get("topics_covered", []), data["slug"]),
    }
    if image is not None:
        fields["image"] = image
    audiences = []
    for slug in data.get("audiences", []):
        audience, _ = Audience.objects.get_or_create(
            slug=slug,
            locale=Locale.get_default(),
            defaults={"name": AUDIENCE_NAMES.get(slug, slug.replace("-", " ").title())},
        )
        audiences.append(audience)
    course = upsert_child(
        index,
        CoursePage,
        data["slug"],
        fields,
        publish=publish,
        m2m={
            "audiences": audiences,
            "jurisdictions": ensure_jurisdictions(data.get("jurisdictions", [])),
        },
    )
    modules = ([dict(core_module, shared=True)] if core_module else []) + [
        dict(module) for module in data["modules"]
    ]
    final = None
    if data.get("final_assessment") and modules:
        final = import_quiz(
            final_quiz_title(data),
            data["final_assessment"],
            FINAL_QUIZ_RULES,
            existing=linked_quiz(modules[-1]["slug"], "final-assessment", course),
        )
        modules[-1]["lessons"] = [*modules[-1]["lessons"], final_assessment_lesson()]
    for module in modules:
        quizzes = {}
        if module.get("quiz") and module["lessons"]:
            last_own = [le for le in module["lessons"] if le["slug"] != "final-assessment"]
            # A shared module's quiz is one quiz for every course that includes it.
            existing = linked_quiz(
                module["slug"], last_own[-1]["slug"], None if module.get("shared") else course
            )
            quiz = import_quiz(
                module_quiz_title(module), module["quiz"], MODULE_QUIZ_RULES, existing=existing
            )
            quizzes[last_own[-1]["slug"]] = quiz
        if final is not None and module is modules[-1]:
            quizzes["final-assessment"] = final
        import_module(course, module, publish=publish, quizzes=quizzes)
    return course
