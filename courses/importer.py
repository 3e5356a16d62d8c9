"""Build or update a course page tree from a JSON document (the format of
`fixtures/curriculum/*.json`, documented in docs/authoring.md).

Importing is idempotent: pages are matched by slug under their parent and updated, and
StreamField blocks get ids derived from their position, so learners' saved reflections stay
attached to the same prompts when a course is imported again.
"""

import contextlib
import json
import uuid
from pathlib import Path

from django.db import transaction

from .models import Audience, CourseIndexPage, CoursePage, LessonPage, ModulePage

AUDIENCE_NAMES = {
    "police": "Police and law enforcement",
    "education": "Teachers and school staff",
    "tech": "Tech, trust & safety staff",
}
BLOCK_NAMESPACE = uuid.UUID("3f0c6a52-8f7e-4a53-9d7e-6c1b2f9a4e11")


def load_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def stable_id(*parts):
    """A block id derived from its place in the content, identical on every import."""
    return str(uuid.uuid5(BLOCK_NAMESPACE, "/".join(str(part) for part in parts)))


def _body_block(block, block_id):
    kind, value = block["type"], block["value"]
    if kind == "heading" and isinstance(value, str):
        value = {"text": value, "level": "h2"}
    elif kind == "helplines":
        value = {"heading": value.get("heading", "Where to get support"),
                 "country": value.get("country", "")}
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


def import_module(course, data, publish=True, key=None):
    key = key or course.slug
    module = upsert_child(
        course,
        ModulePage,
        data["slug"],
        {
            "title": data["title"],
            "intro": data.get("intro", ""),
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
            },
            publish,
        )
    return module


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
        "learning_objectives": _list_stream("objective", data.get("objectives", []), data["slug"]),
        "topics_covered": _list_stream("topic", data.get("topics_covered", []), data["slug"]),
    }
    if image is not None:
        fields["image"] = image
    audiences = []
    for slug in data.get("audiences", []):
        audience, _ = Audience.objects.get_or_create(
            slug=slug, defaults={"name": AUDIENCE_NAMES.get(slug, slug.replace("-", " ").title())}
        )
        audiences.append(audience)
    course = upsert_child(
        index, CoursePage, data["slug"], fields, publish=publish, m2m={"audiences": audiences}
    )
    modules = ([core_module] if core_module else []) + list(data["modules"])
    for module in modules:
        import_module(course, module, publish=publish)
    return course
