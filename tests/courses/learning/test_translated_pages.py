"""Courses in other languages (docs/translation.md, "Part 2"): a Spanish Locale synchronised
from English gives every page a Spanish alias (or a translation) served under /es/, every link
on it stays in Spanish, and the learner's progress follows the course across languages,
recorded against the English (source) pages: one enrolment, one set of completions, one
certificate, whichever language each lesson was read in."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction
from wagtail_localize.models import LocaleSynchronization, Translation, TranslationSource

from courses.learning import services as progress
from courses.models import (
    Certificate,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    Reflection,
)
from tests import factories

pytestmark = pytest.mark.django_db


def spanish_words(text):
    """What the Spanish translator returns for each segment (slugs stay as they are)."""
    if re.fullmatch(r"[a-z0-9-]+", text):
        return f"{text}-es"
    return f"ES {text}"


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks):
    """`committed(action, *args)`: run it and what it leaves for after the commit (publishing
    a translation, issuing a certificate), as a request in production does."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def translate(committed):
    """Translate and publish a page as an outside translator would (a PO file)."""
    return lambda page, locale: committed(factories.translate_by_po, page, locale, spanish_words)


@pytest.fixture
def es(spanish, course):
    """The Spanish Locale, synchronised from English: every page of the course gets an alias."""
    LocaleSynchronization.objects.create(locale=spanish, sync_from=factories.default_locale())
    return spanish


def in_spanish(page, locale):
    return page.get_translation(locale).specific


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def hrefs(html):
    return re.findall(r'href="(/[^"]*)"', html)


def page_links(html):
    """The links to course pages on a page (not static files, the support pages…)."""
    return [href for href in hrefs(html) if "/courses/" in href and "/learn/" not in href]


def switch(client, language, next_path):
    response = client.post(reverse("set_language"), {"language": language, "next": next_path})
    assert response.status_code == 302
    return response.headers["Location"]


def url(name, *args, language="en-gb"):
    with translation.override(language):
        return reverse(name, args=args)


def language_of(page):
    return "en-gb" if page.locale.language_code == "en-gb" else page.locale.language_code


def complete(client, lesson, committed=None):
    """Complete a lesson from its page (whose form posts in the page's language)."""
    post = client.post if committed is None else lambda *a: committed(client.post, *a)
    response = post(url("courses:complete_lesson", lesson.pk, language=language_of(lesson)))
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


class TestSpanishAliases:
    def test_each_page_has_a_spanish_alias_served_under_es_with_the_spanish_interface(
        self, client, es, course
    ):
        course_page, lessons = course
        spanish_lesson = in_spanish(lessons[0], es)
        assert spanish_lesson.alias_of_id == lessons[0].pk
        assert spanish_lesson.url == f"/es{lessons[0].url}"
        html = html_of(client.get(spanish_lesson.url))
        assert '<html lang="es"' in html
        assert "Lección siguiente" in html or "Siguiente lección" in html
        links = page_links(html)
        assert links
        assert all(link.startswith("/es/") for link in links), links

    def test_a_language_without_a_locale_keeps_its_prefix_on_the_english_pages(
        self, client, course
    ):
        course_page, lessons = course
        course_url, second, third = course_page.url, lessons[1].url, lessons[2].url
        assert not Locale.objects.filter(language_code="fr").exists()
        html = html_of(client.get(f"/fr{second}"))
        assert '<html lang="fr"' in html
        assert lessons[1].title in html
        links = page_links(html)
        assert f"/fr{third}" in links
        assert all(link.startswith("/fr/") for link in links), links
        html = html_of(client.get(f"/fr{course_url}"))
        assert all(link.startswith("/fr/") for link in page_links(html))

    def test_a_draft_translation_is_not_served_to_learners(self, client, es, course, committed):
        _, lessons = course
        source, _ = TranslationSource.get_or_create_from_instance(lessons[0])
        job = Translation.objects.create(source=source, target_locale=es)
        import polib

        po = polib.pofile(str(job.export_po()))
        for entry in po:
            entry.msgstr = spanish_words(entry.msgid)
        assert job.import_po(po) == []
        job.save_target(publish=False)
        draft = in_spanish(lessons[0], es)
        assert draft.title == f"ES {lessons[0].title}"  # wagtail-localize writes it on the page
        html = html_of(client.get(draft.url))
        assert "ES Exploitation often hides in plain sight." not in html
        assert "Exploitation often hides in plain sight." in html
        assert f"<h1>{lessons[0].title}</h1>" in html
        # Nor do its words show in the course's outline, on the lessons or the course page
        # (read afresh: the outline is kept until a module or lesson is published).
        cache.clear()
        spanish_course = in_spanish(course[0], es)
        for url in (draft.url, in_spanish(lessons[1], es).url, spanish_course.url):
            html = html_of(client.get(url))
            assert f"ES {lessons[0].title}" not in html, url
            assert lessons[0].title in html
        # Once published, it is what learners read.
        committed(draft.get_latest_revision().publish)
        html = html_of(client.get(draft.url))
        assert "ES Exploitation often hides in plain sight." in html
        assert f"ES {lessons[0].title}" in html_of(client.get(spanish_course.url))

    def test_a_published_translation_is_served_and_the_cached_route_follows_it(
        self, client, es, course, translate
    ):
        course_page, lessons = course
        before = html_of(client.get(f"/es{course_page.url}"))
        assert course_page.title in before
        html_of(client.get(course_page.url))  # the English route is cached too
        translated = translate(course_page, es)
        assert translated.url != f"/es{course_page.url}"  # the slug is translated
        html = html_of(client.get(translated.url))
        assert f"ES {course_page.title}" in html
        # The Spanish course lists its Spanish lessons; the English one stays English.
        assert f"{translated.url}module-1/lesson-1-1/" in hrefs(html)
        english = html_of(client.get(course_page.url))
        assert "ES Test course" not in english
        assert f"{course_page.url}module-1/lesson-1-1/" in hrefs(english)

    def test_a_view_restriction_on_the_english_course_holds_on_its_translation(
        self, client, es, course, learner, translate
    ):
        course_page, lessons = course
        translated = translate(course_page, es)
        spanish_lesson = in_spanish(lessons[0], es)
        restriction = PageViewRestriction.objects.create(
            page=course_page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.create(name="Police trainees"))
        for address in (translated.url, spanish_lesson.url):
            response = client.get(address)
            assert response.status_code == 302
            assert "login" in response.headers["Location"]
        client.force_login(learner)
        for address in (translated.url, spanish_lesson.url):
            assert "login" in client.get(address).headers["Location"]
        learner.groups.add(Group.objects.get(name="Police trainees"))
        for address in (translated.url, spanish_lesson.url):
            assert client.get(address).status_code == 200

    def test_the_content_note_shows_on_the_spanish_lesson(self, client, es, course, translate):
        _, lessons = course
        lesson = lessons[1]
        lesson.content_note = "This lesson discusses grooming of children."
        lesson.save_revision().publish()
        translated = translate(lesson, es)
        html = html_of(client.get(translated.url))
        assert "ES This lesson discusses grooming of children." in html
        assert 'class="content-note"' in html


class TestProgressAcrossLanguages:
    def test_progress_follows_the_learner_from_english_to_spanish_and_back(
        self, client, es, course, learner, translate, committed
    ):
        course_page, lessons = course
        client.force_login(learner)
        # English: enrol and complete two lessons.
        assert client.post(url("courses:enrol", course_page.pk)).status_code == 302
        complete(client, lessons[0])
        complete(client, lessons[1])
        # The third lesson is translated; the fourth is still an alias.
        spanish_third = translate(lessons[2], es)
        spanish_fourth = in_spanish(lessons[3], es)
        spanish_course = in_spanish(course_page, es)
        # The switcher takes the learner to the same page in Spanish.
        assert switch(client, "es", course_page.url) == spanish_course.url
        html = html_of(client.get(spanish_course.url))
        assert html.count("state state--done") == 2
        resume = re.search(r'<a class="button" href="([^"]+)">', html.split('id="main"')[-1])
        assert resume.group(1) == spanish_third.url
        # Completing a lesson in Spanish records it against the English lesson.
        assert complete(client, spanish_third) == spanish_fourth.url
        assert set(LessonProgress.objects.values_list("lesson_id", flat=True)) == {
            lesson.pk for lesson in lessons[:3]
        }
        # From the Spanish lesson the switcher goes back to the English one.
        assert switch(client, "en-gb", spanish_third.url) == lessons[2].url
        html = html_of(client.get(course_page.url))
        assert html.count("state state--done") == 3
        assert Enrolment.objects.filter(user=learner).count() == 1
        # The last lesson, in Spanish, completes the course: one certificate, for the English
        # course, and the completion page in Spanish.
        location = complete(client, spanish_fourth, committed)
        assert location == f"/es/learning/courses/{course_page.pk}/complete/"
        assert (
            client.post(url("courses:enrol", spanish_course.pk, language="es")).status_code == 302
        )
        html = html_of(client.get(location))
        assert f'href="{spanish_course.url}"' in html
        enrolment = Enrolment.objects.get(user=learner)
        assert enrolment.course_id == course_page.pk
        assert enrolment.completed_at is not None
        assert list(Certificate.objects.values_list("course_id", flat=True)) == [course_page.pk]
        assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 4

    def test_enrolling_on_the_spanish_course_enrols_in_the_english_one(
        self, client, es, course, learner
    ):
        course_page, lessons = course
        spanish_course = in_spanish(course_page, es)
        client.force_login(learner)
        response = client.post(url("courses:enrol", spanish_course.pk, language="es"))
        assert response.headers["Location"] == in_spanish(lessons[0], es).url
        client.post(url("courses:enrol", course_page.pk))
        assert list(Enrolment.objects.values_list("course_id", flat=True)) == [course_page.pk]

    def test_my_learning_in_spanish_links_the_spanish_course_and_lesson(
        self, client, es, course, learner, translate
    ):
        course_page, lessons = course
        enrolment, _ = progress.enrol(learner, course_page)
        progress.complete_lesson(enrolment, lessons[0])
        translated = translate(course_page, es)
        client.force_login(learner)
        html = html_of(client.get("/es/learning/"))
        assert f'href="{translated.url}"' in html
        assert "ES Test course" in html
        assert f'href="{in_spanish(lessons[1], es).url}"' in html

    def test_a_reflection_written_in_spanish_belongs_to_the_english_lesson(
        self, client, es, course, learner
    ):
        course_page, lessons = course
        progress.enrol(learner, course_page)
        spanish_lesson = in_spanish(lessons[0], es)
        block_id = next(iter(spanish_lesson.reflection_block_ids()))
        client.force_login(learner)
        response = client.post(
            url("courses:save_reflection", spanish_lesson.pk, block_id, language="es"),
            {"text": "Listen first."},
        )
        assert response.headers["Location"].startswith(spanish_lesson.url)
        assert Reflection.objects.get().lesson_id == lessons[0].pk
        assert "Listen first." in html_of(client.get(lessons[0].url))
        assert "Listen first." in html_of(client.get(spanish_lesson.url))

    def test_the_cohort_report_counts_progress_made_in_spanish(
        self, client, es, course, learner, manager, course_cohort, committed
    ):
        from courses.cohorts import reports
        from courses.cohorts import services as cohorts

        course_page, lessons = course
        cohorts.join(course_cohort, learner)
        client.force_login(learner)
        for lesson in lessons:
            complete(client, in_spanish(lesson, es), committed)
        assert Certificate.objects.filter(user=learner, course=course_page).count() == 1
        client.force_login(manager)
        response = client.get(reverse("courses:cohort", args=[course_cohort.public_id]))
        assert response.status_code == 200
        summary = response.context["summary"]
        assert summary.members == 1
        assert summary.counts[reports.COMPLETED] == 1
        assert summary.certificates == 1


class TestSpanishQueryCounts:
    def test_the_spanish_lesson_page_is_constant(
        self, client, spanish, course_index, learner, django_assert_max_num_queries
    ):
        course_page, lessons = factories.make_course(
            course_index, slug="big", modules=3, lessons_per_module=10
        )
        es = spanish
        LocaleSynchronization.objects.create(locale=es, sync_from=factories.default_locale())
        assert LessonPage.objects.filter(locale=es).count() >= 30
        progress.enrol(learner, course_page)
        client.force_login(learner)
        address = in_spanish(lessons[3], es).url
        client.get(address)
        client.get(address)  # the route, outline and body are cached now
        with django_assert_max_num_queries(8):
            response = client.get(address)
        assert response.content.decode().count("Lesson 1.") >= 10
        assert CoursePage.objects.filter(locale=es).count() == 1


class TestLinksWithoutReverse:
    """Pages work out their links without Wagtail's `reverse()` per link: for every page of a
    course, in each language (the default, Spanish with its Locale, French without one), with
    and without a request, the address is the one Wagtail's own way gives."""

    @pytest.mark.parametrize("language", ["en-gb", "es", "fr"])
    def test_every_link_is_the_one_wagtail_gives(self, rf, es, course, translate, language):
        from courses.models import CourseIndexPage, ModulePage

        course_page, lessons = course
        translate(lessons[0], es)  # one real translation beside the aliases
        pages = [
            *CourseIndexPage.objects.all(),
            *CoursePage.objects.all(),
            *ModulePage.objects.all(),
            *LessonPage.objects.all(),
        ]
        assert len({page.locale_id for page in pages}) == 2
        request = rf.get("/")
        with translation.override(language):
            for page in pages:
                for on in (None, request):
                    expected = page._wagtail_url_parts(on)
                    assert page.get_url_parts(on) == expected, (page.url_path, language)
                    assert expected[2].startswith("/")
            links = {page.pk: page.get_url() for page in pages}
        # The English pages: in French (no Locale) they keep the French prefix.
        english = [links[page.pk] for page in pages if page.locale_id == course_page.locale_id]
        prefix = {"en-gb": "/courses/", "es": "/courses/", "fr": "/fr/courses/"}[language]
        assert all(link.startswith(prefix) for link in english), english
        if language != "fr":
            spanish = [links[page.pk] for page in pages if page.locale_id == es.pk]
            assert all(link.startswith("/es/courses/") for link in spanish), spanish

    def test_a_slug_reverse_would_refuse_takes_the_long_way(self, es, course):
        _, lessons = course
        lesson = LessonPage.objects.get(pk=lessons[0].pk)
        lesson.url_path = lesson.url_path.rstrip("/") + "+odd/"
        assert lesson.get_url_parts() == lesson._wagtail_url_parts()
