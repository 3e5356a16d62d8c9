"""Jurisdictions in the learner's language: a translation (wagtail-localize) gives the name
and note; the code, the countries and every reference (courses, enrolments, cohorts) stay on
the source row, which is listed once wherever jurisdictions are offered."""

import pytest
from django.utils import translation

from courses.cohorts.forms import offered_jurisdictions
from courses.content.importer import ensure_jurisdictions, import_course
from courses.models import CoursePage, Jurisdiction, LessonPage
from courses.models import jurisdictions as where
from tests import factories
from tests.courses.content.test_where_you_work import course_data

pytestmark = pytest.mark.django_db

WORDS = {
    "United States": "Estados Unidos",
    "Federal law; your state's law may add duties": (
        "Ley federal; la ley de su estado puede añadir obligaciones"
    ),
}


@pytest.fixture
def course_with_spanish_us(spanish, course_index):
    import_course(course_index, course_data())
    us = Jurisdiction.objects.get(code="us")
    Jurisdiction.objects.filter(pk=us.pk).update(
        name="United States", note="Federal law; your state's law may add duties"
    )
    us.refresh_from_db()
    translated = factories.translate_by_po(us, spanish, lambda text: WORDS.get(text, text))
    assert translated.code == "us" and translated.pk != us.pk
    return CoursePage.objects.get(slug="duties"), us


def test_learners_see_the_translated_name_on_the_source_row(course_with_spanish_us):
    course, us = course_with_spanish_us
    with translation.override("es"):
        choice = where.all_jurisdictions()["us"]
        offered = where.course_choices(course)
    assert (choice.pk, choice.name) == (us.pk, "Estados Unidos")
    assert choice.note.startswith("Ley federal")
    assert [c.code for c in offered] == ["general", "england-wales", "us"]
    assert offered[-1].name == "Estados Unidos" and offered[-1].pk == us.pk
    english = where.course_choices(course)
    assert english[-1].name == "United States" and english[-1].pk == us.pk


def test_every_list_offers_each_jurisdiction_once(course_with_spanish_us):
    course, us = course_with_spanish_us
    assert Jurisdiction.objects.filter(code="us").count() == 2  # the source and its translation
    cohort = factories.make_cohort([course])
    assert list(offered_jurisdictions(cohort).filter(code="us")) == [us]
    lesson = LessonPage.objects.descendant_of(course).first()
    assert [code for code, _label in lesson.preview_modes].count("us") == 1
    # The editor's checkboxes on the course page (the admin's own edit form).
    form = CoursePage.get_edit_handler().get_form_class()(instance=course, for_user=None)
    assert list(form.fields["jurisdictions"].queryset.filter(code="us")) == [us]


def test_importing_again_finds_the_source_row(course_with_spanish_us):
    _, us = course_with_spanish_us
    assert ensure_jurisdictions(["us"]) == [us]
