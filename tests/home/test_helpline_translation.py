"""Helplines in the learner's language: a translation (wagtail-localize) changes a service's
name, description and opening hours; how to reach it always comes from the source row, so a
translation that has not caught up can never show an old number."""

import pytest
from django.urls import reverse
from django.utils import translation

from courses.content.blocks import HelplinesBlock
from courses.models import Helpline
from tests import factories

pytestmark = pytest.mark.django_db

WORDS = {
    "National Modern Slavery Helpline": "Línea nacional contra la esclavitud moderna",
    "Confidential advice, 24 hours a day.": "Asesoramiento confidencial, las 24 horas.",
    "24/7": "24 horas, todos los días",
}


def spanish_support():
    with translation.override("es"):
        url = reverse("support")
    assert url == "/es/support/"
    return url


@pytest.fixture
def helpline(spanish, home_page):
    line = factories.make_helpline(
        "United Kingdom",
        "National Modern Slavery Helpline",
        description="Confidential advice, 24 hours a day.",
        hours="24/7",
        phone="08000 121 700",
    )
    translated = factories.translate_by_po(line, spanish, lambda text: WORDS.get(text, text))
    assert translated.locale == spanish and translated.pk != line.pk
    return line


def test_the_support_page_shows_the_spanish_words_once_per_service(client, helpline):
    page = client.get(spanish_support()).content.decode()
    assert "Línea nacional contra la esclavitud moderna" in page
    assert "Asesoramiento confidencial, las 24 horas." in page
    assert page.count("08000 121 700") == 1  # one service, not the source and its copy
    with translation.override("en-gb"):
        english = client.get(reverse("support")).content.decode()
    assert "National Modern Slavery Helpline" in english
    assert "Línea nacional" not in english


def test_contact_details_always_come_from_the_source(client, helpline):
    # The service changes its number; the Spanish translation has not been synced since.
    Helpline.objects.filter(pk=helpline.pk).update(phone="0800 999 999")
    page = client.get(spanish_support()).content.decode()
    assert "0800 999 999" in page and "08000 121 700" not in page
    assert "Línea nacional contra la esclavitud moderna" in page


def test_the_lesson_block_lists_the_services_in_the_active_language(helpline):
    block = HelplinesBlock()
    value = block.to_python({"heading": "Support", "country": "United Kingdom"})
    with translation.override("es"):
        [shown] = block.get_context(value)["helplines"]
    assert shown.name == "Línea nacional contra la esclavitud moderna"
    assert shown.hours == "24 horas, todos los días"
    assert shown.pk == helpline.pk and shown.phone == "08000 121 700"
    [english] = block.get_context(value)["helplines"]
    assert english.name == "National Modern Slavery Helpline"


def test_the_demo_loader_matches_only_the_source_rows(helpline, spanish):
    from lantern.home.demo import load_helplines

    count = load_helplines()
    assert Helpline.objects.filter(locale=spanish).count() == 1  # untouched
    assert Helpline.objects.sources().count() == count + 1  # the fixture's, plus the test's
