"""The words attempt.js writes (countdown and autosave) come from the template in the page's
language, in data- attributes (the Content Security Policy allows no inline script)."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from quizzes import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt_page(client, learner):
    """The page of an open 30-minute attempt, in the language `get(language)` asks for."""
    quiz = factories.make_quiz(time_limit_minutes=30)
    attempt = services.start_attempt(learner, quiz)
    client.force_login(learner)

    def get(language):
        with translation.override(language):
            url = reverse("quizzes:attempt", args=[attempt.pk])
        html = client.get(url).content.decode()
        document = BeautifulSoup(html, "html.parser")
        return document.select_one("[data-countdown]"), document.select_one("[data-autosave-url]")

    return get


def test_the_words_are_spanish_under_es(attempt_page):
    countdown, form = attempt_page("es")
    assert countdown["data-text-left"] == (
        "Tiempo restante: {left}. Envíe antes de las {deadline} (su hora)."
    )
    assert countdown["data-say-up"] == "Se acabó el tiempo. Enviando sus respuestas."
    assert countdown["data-short-minutes"] == "{n} min"
    assert (countdown["data-second-one"], countdown["data-second-other"]) == (
        "{n} segundo",
        "{n} segundos",
    )
    assert form["data-autosave-on"] == "Sus respuestas se guardan a medida que avanza."
    assert form["data-autosave-saved"] == "Respuesta guardada a las {time}."
    assert form["data-autosave-offline"].endswith("Use “Guardar y volver más tarde”.")


def test_the_words_are_french_under_fr(attempt_page):
    countdown, form = attempt_page("fr")
    assert countdown["data-minute-one"] == "{n} minute"
    assert countdown["data-minute-other"] == "{n} minutes"
    assert form["data-autosave-failed"] == (
        "Votre dernière réponse n’a pas été enregistrée : {error}"
    )


def test_english_pages_carry_the_scripts_own_words(attempt_page):
    countdown, form = attempt_page("en-gb")
    assert countdown["data-text-left"] == "Time left: {left}. Submit by {deadline} (your time)."
    assert form["data-autosave-saving"] == "Saving…"
