"""Audiences in the learner's language: a translation (wagtail-localize) gives the name and
description on course listings; the slug and the courses tagged with it stay on the source
row, which is the only one editors can tick on a course."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.content.importer import import_course
from courses.models import Audience, CoursePage
from tests import factories
from tests.courses.content.test_where_you_work import course_data

pytestmark = pytest.mark.django_db

WORDS = {
    "Police and law enforcement": "Policía y fuerzas del orden",
    "Officers who may meet people who have been trafficked.": (
        "Agentes que pueden encontrarse con personas víctimas de trata."
    ),
}


def spanish_url(page):
    """The page under /es/: an English page served with the Spanish interface."""
    return "/es" + page.url


@pytest.fixture
def police(spanish, course_index):
    audience = Audience.objects.create(
        name="Police and law enforcement",
        slug="police",
        description="Officers who may meet people who have been trafficked.",
    )
    translated = factories.translate_by_po(audience, spanish, lambda text: WORDS.get(text, text))
    assert translated.locale == spanish and translated.pk != audience.pk
    assert translated.slug == "police" and translated.name == "Policía y fuerzas del orden"
    return audience


def tagged_course(course_index, audience, slug="tagged", title="Tagged course"):
    course, _ = factories.make_course(
        course_index, modules=1, lessons_per_module=1, slug=slug, title=title
    )
    course.audiences.add(audience)
    course.save_revision().publish()
    return course


def test_listings_show_the_translated_name_in_spanish(client, police, course_index):
    course = tagged_course(course_index, police)
    index_es = client.get(spanish_url(course_index)).content.decode()
    assert "Policía y fuerzas del orden" in index_es
    assert "Police and law enforcement" not in index_es
    course_es = client.get(spanish_url(course)).content.decode()
    assert "Policía y fuerzas del orden" in course_es
    index_en = client.get(course_index.url).content.decode()
    assert "Police and law enforcement" in index_en and "Policía" not in index_en
    assert "Police and law enforcement" in client.get(course.url).content.decode()


def test_an_untranslated_audience_keeps_its_source_name(client, police, course_index):
    teachers = Audience.objects.create(name="Teachers and school staff", slug="education")
    course = tagged_course(course_index, teachers)
    course.audiences.add(police)
    course.save_revision().publish()
    page = client.get(spanish_url(course_index)).content.decode()
    assert "Policía y fuerzas del orden, Teachers and school staff" in page


def test_a_changed_translation_shows_at_once(client, police, course_index):
    tagged_course(course_index, police)
    assert "Policía y fuerzas" in client.get(spanish_url(course_index)).content.decode()
    spanish_row = Audience.objects.get(slug="police", locale__language_code="es")
    spanish_row.name = "Policía"
    spanish_row.save()
    page = client.get(spanish_url(course_index)).content.decode()
    assert "Policía</p>" in page and "Policía y fuerzas" not in page


def test_the_spanish_listing_costs_no_query_per_course(client, police, course_index):
    tagged_course(course_index, police)
    url = spanish_url(course_index)
    client.get(url)  # fills the caches

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for number in range(4):
        tagged_course(course_index, police, slug=f"more-{number}", title=f"More {number}")
    client.get(url)
    assert queries() == few


def test_editors_tick_source_audiences_only(police, course_index):
    assert Audience.objects.filter(slug="police").count() == 2
    assert list(Audience.objects.sources().filter(slug="police")) == [police]
    course = tagged_course(course_index, police)
    form = CoursePage.get_edit_handler().get_form_class()(instance=course, for_user=None)
    assert list(form.fields["audiences"].queryset.filter(slug="police")) == [police]


def test_importing_again_uses_the_source_row(police, course_index):
    data = dict(course_data(), audiences=["police", "tech"])
    import_course(course_index, data)
    course = CoursePage.objects.get(slug="duties")
    tagged = {audience.slug: audience for audience in course.audiences.all()}
    assert tagged["police"] == police
    assert tagged["tech"].locale.language_code == "en-gb"
    assert Audience.objects.filter(slug="police").count() == 2


def test_the_admin_lists_and_edits_audiences(admin_client, police):
    listing = admin_client.get("/admin/snippets/courses/audience/")
    assert listing.status_code == 200
    assert "Police and law enforcement" in listing.content.decode()
    edit = admin_client.get(f"/admin/snippets/courses/audience/edit/{police.pk}/")
    assert edit.status_code == 200
    # The locale switcher leads to the Spanish translation, which opens in the editor.
    spanish_row = Audience.objects.get(slug="police", locale__language_code="es")
    spanish_edit = f"/admin/snippets/courses/audience/edit/{spanish_row.pk}/"
    assert spanish_edit in edit.content.decode()
    translated = admin_client.get(spanish_edit)
    assert translated.status_code == 200
    assert "Policía y fuerzas del orden" in translated.content.decode()


def test_an_untranslated_audience_offers_the_translate_action(admin_client, police):
    teachers = Audience.objects.create(name="Teachers and school staff", slug="education")
    listing = admin_client.get("/admin/snippets/courses/audience/").content.decode()
    assert f"/admin/localize/submit/snippet/courses/audience/{teachers.pk}/" in listing
    assert f"/admin/localize/submit/snippet/courses/audience/{police.pk}/" not in listing
    submit = admin_client.get(f"/admin/localize/submit/snippet/courses/audience/{teachers.pk}/")
    assert submit.status_code == 200
