"""Quizzes in the learner's language (docs/translation.md).

A quiz and its translations (wagtail-localize: one `Quiz` row per locale, sharing a
`translation_key`, as do their questions and choices) are one assessment. Everything that
counts belongs to the *source* quiz, the one in the site's default locale: attempts and their
limits, cooldowns and windows, the question pool and blueprint that draws are made from, the
answer key, scores and item analysis. A translation only supplies the words: the attempt's
snapshot takes each drawn question's text, scenario, explanation, choices and feedback from
the live translation in the learner's language, with the source's ids and the source's
correct answers, so a translation can neither change what is right nor give anyone more
attempts. A translation missing any drawn question or choice (the source changed and the
translation has not caught up) is not used at all: the attempt is in the source language,
never a mixture.
"""

import copy

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

from .models import Quiz


def default_language():
    """The default locale's language code (what `Locale.get_default()` looks up)."""
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def source_quiz(quiz):
    """The quiz in the default locale that `quiz` is a translation of (or `quiz` itself).
    No query for a source quiz fetched with its locale (`select_related("locale")`)."""
    if quiz.locale.language_code == default_language():
        return quiz
    source = (
        Quiz.objects.select_related("locale")
        .filter(translation_key=quiz.translation_key, locale__language_code=default_language())
        .first()
    )
    return source or quiz


def active_locale():
    """The Locale for the active interface language ("es-mx" falls back to "es"), or None
    for the site's default language (the source's: nothing to look up) and languages without
    a locale."""
    language = (translation.get_language() or "").lower()
    if not language or language == settings.LANGUAGE_CODE.lower():
        return None
    candidates = [language, language.split("-")[0]]
    locales = {locale.language_code.lower(): locale for locale in Locale.objects.all()}
    for code in candidates:
        if code in locales:
            return locales[code]
    base = candidates[-1]
    return next((loc for code, loc in locales.items() if code.split("-")[0] == base), None)


def live_translation(quiz, locale, with_questions=False):
    """The live translation of the (source) quiz in `locale`, or None."""
    if locale is None or locale.pk == quiz.locale_id:
        return None
    translations = Quiz.objects.filter(
        translation_key=quiz.translation_key, locale=locale, live=True
    )
    if with_questions:
        translations = translations.prefetch_related("questions__choices")
    return translations.first()


def words_for(questions, translated_quiz):
    """{source question pk: (translated question, {source choice pk: translated choice})} for
    every drawn question, or None when the translation lacks any of them or their choices."""
    if translated_quiz is None:
        return None
    by_key = {q.translation_key: q for q in translated_quiz.questions.all()}
    words = {}
    for question in questions:
        translated = by_key.get(question.translation_key)
        if translated is None:
            return None
        choices = {c.translation_key: c for c in translated.choices.all()}
        mapped = {}
        for choice in question.choices.all():
            if choice.translation_key not in choices:
                return None
            mapped[choice.pk] = choices[choice.translation_key]
        words[question.pk] = (translated, mapped)
    return words


def locale_for(language_code):
    """The Locale with this language code, or None (also for the default language's: the
    source needs no lookup)."""
    if not language_code or language_code.lower() == settings.LANGUAGE_CODE.lower():
        return None
    return Locale.objects.filter(language_code=language_code).first()


WORDS = ("title", "intro", "content_note")


def shown_in(quiz, locale):
    """A copy of the (source) quiz for display, with its title, introduction and content note
    from its live translation in `locale` when there is one. Only for showing: views never
    save it (it keeps the source's id)."""
    translated = live_translation(quiz, locale)
    if translated is None:
        return quiz
    shown = copy.copy(quiz)
    for field in WORDS:
        setattr(shown, field, getattr(translated, field))
    return shown
