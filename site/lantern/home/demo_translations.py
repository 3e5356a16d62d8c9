"""The demo's Spanish content, made with wagtail-localize as an outside translator would.

Each curriculum file with a Spanish twin in `fixtures/curriculum/es/` (same structure, slugs
and HTML tags; only the words differ) gives its pages and quizzes a Spanish translation:
wagtail-localize's PO file for each object is exported, every msgstr filled from a mapping
English → Spanish built by walking the two files side by side, imported back, and the
translation published. Editors then see ordinary wagtail-localize translations (the segment
editor shows the Spanish, "Sync" works). A string with no Spanish counterpart keeps the
English. Helplines and jurisdictions get their Spanish words from `fixtures/es/`.

Idempotent: an object is saved again only when its English source or one of its Spanish
strings changed, or its translation is missing or not live.
"""

import json
from pathlib import Path

from django.db.models import Max
from wagtail.models import DraftStateMixin, Locale, Page
from wagtail_localize.models import Translation, TranslationLog, TranslationSource
from wagtail_localize.strings import StringValue, extract_strings

from courses.content import importer
from courses.content.sanitize import clean_rich_text
from courses.models import CoursePage, Helpline, Jurisdiction, LessonPage, ModulePage

SPANISH = "es"
# Values copied unchanged from the English: never translated, so never mapped.
IDENTIFIER_KEYS = frozenset(
    {
        "slug",
        "type",
        "kind",
        "level",
        "tags",
        "tag",
        "jurisdiction",
        "jurisdictions",
        "audiences",
        "url",
        "publisher",
        "year",
        "country",
    }
)

# Words the importer adds itself (not in the curriculum files), in Spanish.
MODULE_QUIZ_TITLE = "Compruebe lo que ha aprendido: {title}"
FINAL_QUIZ_TITLE = "Evaluación final: {title}"
FINAL_ASSESSMENT_LESSON = {
    "title": "Evaluación final",
    "body": [
        {
            "type": "paragraph",
            "value": "<p>La evaluación final toma 10 preguntas de un conjunto más amplio, con "
            "preguntas sobre todos los temas del curso, así que cada intento es un poco "
            "distinto. Necesita un 80 % para aprobar. Tiene tres intentos, con una hora "
            "entre uno y otro, y 30 minutos para cada uno: si necesita más tiempo, pida un "
            "ajuste al equipo del sitio.</p>",
        },
        {
            "type": "callout",
            "value": {
                "kind": "practice_tip",
                "title": "Si lo necesita, tómese antes un descanso",
                "text": "<p>Su progreso queda guardado. Vuelva cuando se sienta preparado o "
                "preparada.</p>",
            },
        },
    ],
}
HELPLINES_HEADING = ("Where to get support", "Dónde encontrar apoyo")


# --- English → Spanish --------------------------------------------------------------------


def add_pair(mapping, english, spanish):
    """Map one English string of a curriculum file to its Spanish twin, in every form
    wagtail-localize may show it in a PO file: as it is (plain text), escaped (plain text
    with HTML characters) and, for rich text, segment by segment after the importer's
    cleaning, with wagtail-localize's own extraction on both sides."""
    if not isinstance(english, str) or english == spanish or not english.strip():
        return
    pairs = [(english, spanish)]
    pairs.append(
        (StringValue.from_plaintext(english).data, StringValue.from_plaintext(spanish).data)
    )
    if "<" in english:
        _, english_segments = extract_strings(clean_rich_text(english))
        _, spanish_segments = extract_strings(clean_rich_text(spanish))
        # Twins with the same tags split the same way; otherwise keep the English.
        if len(english_segments) == len(spanish_segments):
            pairs += [
                (en.data, es.data)
                for (en, _), (es, _) in zip(english_segments, spanish_segments, strict=True)
            ]
    for en, es in pairs:
        if en != es:
            mapping.setdefault(en, es)


def walk(mapping, english, spanish, key=None):
    """Add every string pair of two JSON documents of the same shape."""
    if key in IDENTIFIER_KEYS:
        return
    if isinstance(english, dict) and isinstance(spanish, dict):
        for name, value in english.items():
            if name in spanish:
                walk(mapping, value, spanish[name], name)
    elif isinstance(english, list) and isinstance(spanish, list):
        for en, es in zip(english, spanish, strict=False):
            walk(mapping, en, es, key)
    elif isinstance(english, str) and isinstance(spanish, str):
        add_pair(mapping, english, spanish)


def build_mapping(english, spanish):
    """English → Spanish for one curriculum file (a module or a course) and the words the
    importer adds to it: quiz titles, the final assessment lesson, the helplines heading."""
    mapping = {}
    walk(mapping, english, spanish)
    modules = [(english, spanish)] if "lessons" in english else []
    modules += list(zip(english.get("modules", []), spanish.get("modules", []), strict=False))
    for en, es in modules:
        if en.get("quiz") and es.get("quiz"):
            title = es["quiz"].get("quiz_title") or MODULE_QUIZ_TITLE.format(title=es["title"])
            add_pair(mapping, importer.module_quiz_title(en), title)
    if english.get("final_assessment") and spanish.get("final_assessment"):
        title = spanish["final_assessment"].get("quiz_title") or FINAL_QUIZ_TITLE.format(
            title=spanish["title"]
        )
        add_pair(mapping, importer.final_quiz_title(english), title)
        lesson = importer.final_assessment_lesson()
        walk(mapping, {k: lesson[k] for k in FINAL_ASSESSMENT_LESSON}, FINAL_ASSESSMENT_LESSON)
    add_pair(mapping, *HELPLINES_HEADING)
    return mapping


# --- Translating through wagtail-localize --------------------------------------------------


def translate_object(instance, locale, mapping):
    """Translate a page or snippet into `locale` through its PO file, every msgstr taken
    from `mapping` (the English where it has none), and publish the translation. Returns
    True if it saved a translation, False if the live translation was already up to date."""
    source, _ = TranslationSource.update_or_create_from_instance(instance)
    job, _ = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    po = job.export_po()
    changed = False
    for entry in po:
        if entry.obsolete:
            continue
        wanted = mapping.get(entry.msgid, entry.msgid)
        if entry.msgstr != wanted:
            entry.msgstr = wanted
            changed = True
    if changed:
        job.import_po(po, tool_name="Lantern demo")
    target = instance.get_translation_or_none(locale)
    last_saved = TranslationLog.objects.filter(source=source, locale=locale).aggregate(
        at=Max("created_at")
    )["at"]
    up_to_date = (
        not changed
        and target is not None
        and last_saved is not None
        and last_saved >= source.last_updated_at
        and not getattr(target, "alias_of_id", None)
        and getattr(target, "live", True)
        and not getattr(target, "has_unpublished_changes", False)
    )
    if up_to_date:
        return False
    # Pages and quizzes are saved as a draft, then published here rather than when the
    # surrounding transaction commits (wagtail-localize defers its own publishing).
    draft = isinstance(instance, Page | DraftStateMixin)
    job.save_target(publish=not draft)
    if draft:
        target = instance.get_translation(locale)
        target.get_latest_revision().publish()
    return True


def _default_pages(model, **filters):
    return model.objects.filter(locale=Locale.get_default(), **filters).order_by("path")


def curriculum_objects(data, core_slug=None):
    """The English pages (parents first) and quizzes a curriculum file defines: a module
    file's module in every course and its lessons; a course file's course page, its own
    modules (not the shared core module) and their lessons, with the final assessment."""
    pages = []
    if "modules" in data:
        for course in _default_pages(CoursePage, slug=data["slug"]):
            pages.append(course)
            for module in _default_pages(ModulePage).child_of(course):
                if module.slug != core_slug:
                    pages += [module, *_default_pages(LessonPage).child_of(module)]
    else:
        for module in _default_pages(ModulePage, slug=data["slug"]):
            pages += [module, *_default_pages(LessonPage).child_of(module)]
    pages = [page.specific for page in pages]
    quizzes = []
    for page in pages:
        quiz = getattr(page, "quiz", None)
        if quiz is not None and quiz not in quizzes:
            quizzes.append(quiz)
    return pages, quizzes


def load_spanish_curriculum(curriculum_dir, filenames, core_filename="core-module.json"):
    """Translate into Spanish the content of each curriculum file with a Spanish twin in
    `curriculum_dir/es/`; files without one are skipped. Returns the number of objects
    saved (0 when everything was already up to date)."""
    locale = Locale.objects.get(language_code=SPANISH)
    twins = Path(curriculum_dir) / SPANISH
    core_slug = None
    if (Path(curriculum_dir) / core_filename).exists():
        core_slug = importer.load_json(Path(curriculum_dir) / core_filename)["slug"]
    saved = 0
    # The core module first: each course includes it.
    for filename in dict.fromkeys([core_filename, *filenames]):
        if not (twins / filename).exists():
            continue
        english = importer.load_json(Path(curriculum_dir) / filename)
        spanish = importer.load_json(twins / filename)
        mapping = build_mapping(english, spanish)
        pages, quizzes = curriculum_objects(english, core_slug)
        # Quizzes before the lessons that link to them: a lesson's translation links to
        # its quiz's translation.
        for instance in [*quizzes, *pages]:
            saved += translate_object(instance, locale, mapping)
    return saved


# --- Helplines and jurisdictions -----------------------------------------------------------


def load_spanish_support(fixtures_dir):
    """Spanish names, descriptions and hours of the demo helplines and Spanish names and
    notes of its jurisdictions, from `fixtures/es/`, translated the same way."""
    locale = Locale.objects.get(language_code=SPANISH)
    default = Locale.get_default()
    saved = 0
    english_rows = json.loads((fixtures_dir / "helplines.json").read_text(encoding="utf-8"))
    path = fixtures_dir / SPANISH / "helplines.json"
    if path.exists():
        spanish_rows = json.loads(path.read_text(encoding="utf-8"))
        spanish_by_key = {(row["country"], row["source_name"]): row for row in spanish_rows}
        for english in english_rows:
            spanish = spanish_by_key.get((english["country"], english["name"]))
            helpline = Helpline.objects.filter(
                country=english["country"], name=english["name"], locale=default
            ).first()
            if spanish is None or helpline is None:
                continue
            mapping = {}
            for field in ("name", "description", "hours"):
                walk(mapping, english.get(field, ""), spanish.get(field, english.get(field, "")))
            saved += translate_object(helpline, locale, mapping)
    path = fixtures_dir / SPANISH / "jurisdictions.json"
    if path.exists():
        english_by_code = {
            row["code"]: row
            for row in json.loads((fixtures_dir / "jurisdictions.json").read_text("utf-8"))
        }
        for spanish in json.loads(path.read_text(encoding="utf-8")):
            english = english_by_code.get(spanish["code"])
            jurisdiction = Jurisdiction.objects.filter(code=spanish["code"], locale=default).first()
            if english is None or jurisdiction is None:
                continue
            mapping = {}
            for field in ("name", "note"):
                walk(mapping, english.get(field, ""), spanish.get(field, english.get(field, "")))
            saved += translate_object(jurisdiction, locale, mapping)
    return saved
