"""The demo's Spanish content: each curriculum file's Spanish twin becomes wagtail-localize
translations of its pages and quizzes, made through their PO files as a translator would."""

import shutil
from pathlib import Path

import pytest
from wagtail.models import Locale, Page, Revision
from wagtail_localize.models import LocaleSynchronization, StringTranslation, Translation

from courses.content import importer
from courses.models import CoursePage, Helpline, Jurisdiction, LessonPage, ModulePage
from lantern.home import demo, demo_translations
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "spanish-demo"


def load(curriculum_dir=SAMPLE):
    demo.ensure_locales()
    demo.synchronize_locale_trees()
    return demo_translations.load_spanish_curriculum(
        curriculum_dir, ["sample-course.json"], core_filename="core.json"
    )


@pytest.fixture
def course(home_page):
    index = demo.ensure_course_index(home_page)
    core = importer.load_json(SAMPLE / "core.json")
    return importer.import_course(
        index, importer.load_json(SAMPLE / "sample-course.json"), core_module=core
    )


@pytest.fixture
def spanish(course):
    load()
    return Locale.objects.get(language_code="es")


def english_tree(course):
    return [page.specific for page in course.get_descendants(inclusive=True).order_by("path")]


def in_spanish(page, spanish):
    return page.get_translation(spanish).specific


def lesson_blocks(lesson):
    return {block.block_type: block for block in lesson.body}


class TestLocales:
    def test_each_demo_language_syncs_from_english_and_gets_an_alias_of_each_page(self, course):
        load()
        english = Locale.get_default()
        for code in demo.DEMO_LOCALES:
            sync = LocaleSynchronization.objects.get(locale__language_code=code)
            assert sync.sync_from == english
        french = Locale.objects.get(language_code="fr")
        for page in english_tree(course):
            alias = page.get_translation(french)
            assert alias.alias_of_id == page.pk
        pages, syncs = Page.objects.count(), LocaleSynchronization.objects.count()
        load()
        assert (Page.objects.count(), LocaleSynchronization.objects.count()) == (pages, syncs)
        assert syncs == len(demo.DEMO_LOCALES)


class TestSpanishCurriculum:
    def test_every_page_and_quiz_gets_a_live_wagtail_localize_translation(self, course, spanish):
        pages = english_tree(course)
        assert {type(page) for page in pages} == {CoursePage, ModulePage, LessonPage}
        for page in pages:
            translated = in_spanish(page, spanish)
            assert translated.live and translated.alias_of_id is None, page.title
            assert translated.slug == page.slug
            assert Translation.objects.filter(
                source__object_id=page.translation_key, target_locale=spanish
            ).exists()
        quizzes = [page.quiz for page in pages if isinstance(page, LessonPage) and page.quiz]
        assert len(quizzes) == 2
        for quiz in quizzes:
            translated = quiz.get_translation(spanish)
            assert translated.live and translated.pk != quiz.pk

    def test_the_spanish_words_are_the_twins_body_blocks_included(self, course, spanish):
        translated = in_spanish(course, spanish)
        assert translated.title == "Responder en la escuela"
        assert translated.summary == "Un curso breve para el personal escolar."
        assert [block.value for block in translated.learning_objectives] == [
            "Responder con calma cuando alguien te cuenta algo."
        ]
        lesson = LessonPage.objects.get(slug="when-a-child-tells-you", locale=course.locale)
        spanish_lesson = in_spanish(lesson, spanish)
        assert spanish_lesson.title == "Cuando un niño o una niña te lo cuenta"
        blocks = lesson_blocks(spanish_lesson)
        assert blocks["heading"].value["text"] == "Mantén la calma"
        paragraph = blocks["paragraph"].value.source
        assert '<a href="https://www.nspcc.org.uk/">sigue tu procedimiento</a>' in paragraph
        assert "<li>No prometas guardar el secreto.</li>" in paragraph
        assert blocks["callout"].value["title"] == "No te corresponde investigar"
        assert (
            blocks["callout"].value["text"].source
            == "<p>Traslada la preocupación el mismo día.</p>"
        )
        scenario = blocks["scenario"].value
        assert scenario["question"] == "¿Qué le dices?"
        assert [choice["text"] for choice in scenario["choices"]] == [
            "Lo guardaré en secreto.",
            "Puede que tenga que contárselo a personas que pueden ayudar.",
        ]
        assert [choice["recommended"] for choice in scenario["choices"]] == [False, True]
        assert blocks["reflection"].value["prompt"].startswith("¿Quién es la persona")
        [variant] = blocks["where_you_work"].value["variants"]
        assert (
            variant["jurisdiction"] == "us" and "obligación de denunciar" in variant["body"].source
        )
        # The same block ids as the English: reflections stay attached to their prompt.
        assert [block.id for block in spanish_lesson.body] == [block.id for block in lesson.body]
        [source] = spanish_lesson.sources
        assert source.value["url"] == "https://www.gov.uk/"

        quiz = spanish_lesson.quiz
        assert quiz.locale == spanish and quiz.translation_key == lesson.quiz.translation_key
        assert quiz.title == "Compruebe lo que ha aprendido: Escuchar bien"
        question = quiz.questions.get()
        assert question.text == "Un niño te pide que guardes un secreto. ¿Qué haces?"
        choices = list(question.choices.order_by("sort_order"))
        assert [c.text for c in choices] == [
            "Explicarle que puede que tengas que contárselo a alguien que puede ayudar",
            "Prometer que lo guardarás en secreto",
        ]
        assert [c.is_correct for c in choices] == [True, False]

        core_lesson = LessonPage.objects.get(slug="three-elements", locale=course.locale)
        core_spanish = in_spanish(core_lesson, spanish)
        assert "La trata tiene <strong>tres partes</strong>." in core_spanish.body[0].value.source
        assert core_spanish.quiz.questions.get().explanation == (
            "En el caso de menores no hace falta que haya medios."
        )

    def test_strings_the_twin_leaves_in_english_stay_in_english(self, course, spanish):
        translated = in_spanish(course, spanish)
        assert [block.value for block in translated.topics_covered] == ["Listening to a disclosure"]
        lesson = in_spanish(
            LessonPage.objects.get(slug="when-a-child-tells-you", locale=course.locale), spanish
        )
        assert lesson.content_note == "This lesson mentions abuse, without detail."
        assert lesson.sources[0].value["title"] == "Keeping children safe in education"
        question = lesson.quiz.questions.get()
        assert question.explanation == "Be honest about who you need to tell."
        assert question.choices.get(sort_order=1).feedback == "This is a promise you cannot keep."
        # Every string of the translation is filled in: the segment editor shows it complete.
        for page in english_tree(course):
            job = Translation.objects.get(
                source__object_id=page.translation_key, target_locale=spanish
            )
            assert job.get_progress()[0] == job.get_progress()[1], page.title

    def test_a_second_run_changes_nothing(self, course, spanish):
        counts = (
            Revision.objects.count(),
            Page.objects.count(),
            Quiz.objects.count(),
            Translation.objects.count(),
            StringTranslation.objects.count(),
        )
        assert load() == 0
        assert (
            Revision.objects.count(),
            Page.objects.count(),
            Quiz.objects.count(),
            Translation.objects.count(),
            StringTranslation.objects.count(),
        ) == counts

    def test_an_updated_twin_updates_only_what_changed(self, course, spanish, tmp_path):
        shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
        twin = tmp_path / "es" / "sample-course.json"
        twin.write_text(
            twin.read_text(encoding="utf-8").replace("Escuchar bien", "Saber escuchar"),
            encoding="utf-8",
        )
        revisions = Revision.objects.count()
        assert load(tmp_path) == 2  # the module and its quiz (whose title names it)
        module = ModulePage.objects.get(slug="listening", locale=spanish)
        assert module.title == "Saber escuchar" and module.live
        assert not module.has_unpublished_changes
        assert Revision.objects.count() == revisions + 2

    def test_a_file_without_a_spanish_twin_is_skipped(self, course, tmp_path):
        shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
        (tmp_path / "es" / "sample-course.json").unlink()
        load(tmp_path)
        spanish = Locale.objects.get(language_code="es")
        assert in_spanish(course, spanish).alias_of_id == course.pk  # still an alias
        core = ModulePage.objects.get(slug="shared-basics", locale=course.locale)
        assert in_spanish(core, spanish).title == "Conceptos básicos compartidos"

    def test_spanish_pages_are_served_under_es(self, client, settings, course, spanish):
        settings.WAGTAIL_I18N_ENABLED = True
        settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
        lesson = LessonPage.objects.get(slug="when-a-child-tells-you", locale=course.locale)
        spanish_lesson = in_spanish(lesson, spanish)
        assert spanish_lesson.url.startswith("/es/")
        page = client.get(spanish_lesson.url).content.decode()
        assert "Cuando un niño o una niña te lo cuenta" in page
        assert "sigue tu procedimiento" in page
        assert "Puede que tenga que contárselo a personas que pueden ayudar." in page
        english = client.get(lesson.url).content.decode()
        assert "When a child tells you" in english and "Cuando un niño" not in english
        course_page = client.get(in_spanish(course, spanish).url)
        assert course_page.status_code == 200
        assert "Responder en la escuela" in course_page.content.decode()


class TestSpanishHelplinesAndJurisdictions:
    def test_the_demo_services_and_jurisdictions_get_spanish_words(self):
        demo.load_helplines()
        demo.load_jurisdictions()
        demo.ensure_locales()
        demo_translations.load_spanish_support(demo.FIXTURES_DIR)
        spanish = Locale.objects.get(language_code="es")
        emergency = Helpline.objects.get(name="Emergency services").get_translation(spanish)
        assert emergency.name == "Servicios de emergencia"
        assert emergency.hours == "24 horas, todos los días"
        slavery = Helpline.objects.get(name="Modern Slavery & Exploitation Helpline")
        assert "confidencial" in slavery.get_translation(spanish).description
        us = Jurisdiction.objects.get(code="us", locale=Locale.get_default())
        assert us.get_translation(spanish).name == "Estados Unidos"
        assert Helpline.objects.filter(locale=spanish).count() == Helpline.objects.sources().count()
        counts = (Helpline.objects.count(), Jurisdiction.objects.count())
        assert demo_translations.load_spanish_support(demo.FIXTURES_DIR) == 0
        assert (Helpline.objects.count(), Jurisdiction.objects.count()) == counts
