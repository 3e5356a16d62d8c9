"""Snippets learners see in their language (docs/translation.md): the source rows (in the
site's default language) carry the codes, contact details and every reference; a translation
(wagtail-localize) only gives other words, looked up here by translation key."""

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant


def content_language(language=None):
    """The content language (a locale's language code) for an interface language (default:
    the site's), or None for a language without content."""
    try:
        return get_supported_content_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return None


def active_language():
    """(the active content language, the default one); the default for languages without
    content."""
    default = content_language()
    return content_language(translation.get_language()) or default, default


def translated_words(model, language, fields, translation_keys=None):
    """{translation key: {field: value}} of `model`'s rows in `language`, for `fields` (the
    translated ones); all of them, or only those with `translation_keys`."""
    rows = model.objects.filter(locale__language_code=language)
    if translation_keys is not None:
        rows = rows.filter(translation_key__in=translation_keys)
    return {row["translation_key"]: row for row in rows.values("translation_key", *fields)}
