"""Jurisdictions: where a learner works, which decides the duties a lesson shows them."""

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldRowPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index

from courses.models.translations import active_language, content_language, translated_words

# The fallback every learner sees when they have picked nothing (or their choice has no
# variant in a lesson). Always offered; created by the migration.
GENERAL = "general"
GENERAL_NAME = "International / general"


class JurisdictionQuerySet(models.QuerySet):
    def sources(self):
        """The jurisdictions in the site's default language: each one once. Enrolments,
        cohorts and courses always point at these; a translation only gives other words."""
        return self.filter(locale__language_code=content_language())


class Jurisdiction(TranslatableMixin, index.Indexed, models.Model):
    """A legal system learners work under, e.g. England and Wales, or the United States.
    Translations (wagtail-localize) give its name and note in other languages; its code,
    countries and order are the source row's."""

    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_('Used in course files and lesson blocks, e.g. "england-wales".'),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Shown to learners."))
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        help_text=_(
            'A short line shown to learners, e.g. "Federal law; your state\'s law may add duties".'
        ),
    )
    countries = models.CharField(
        _("helpline countries"),
        max_length=500,
        blank=True,
        help_text=_(
            "The helplines' country values that apply here, separated by commas, "
            'e.g. "United Kingdom". Their helplines are listed first for these learners.'
        ),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=100, help_text=_("Lower numbers are listed first.")
    )

    objects = JurisdictionQuerySet.as_manager()

    panels = [FieldRowPanel(["code", "sort_order"]), "name", "note", "countries"]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "locale"], name="courses_jurisdiction_code_per_locale"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def country_list(self):
        return [c.strip() for c in self.countries.split(",") if c.strip()]

    @property
    def is_general(self):
        return self.code == GENERAL


def source_jurisdictions():
    """`limit_choices_to` for fields that point at jurisdictions: the source rows only."""
    return models.Q(locale__language_code=content_language())


def jurisdiction_choices():
    """(code, name) of every jurisdiction, general first: the choices of lesson blocks."""
    rows = [(choice.code, choice.name) for choice in all_jurisdictions().values()]
    rows.sort(key=lambda row: row[0] != GENERAL)
    return rows


# --- Cached reads for learner pages --------------------------------------------------------
# Lessons and the course page read jurisdictions from the cache, so they cost no extra query.
# Saving or deleting a jurisdiction, or changing a course's list, calls `forget()`; publishing
# a course changes its live revision, which is part of the key.

CACHE_SECONDS = 60 * 60
VERSION_KEY = "lantern:jurisdictions:version"


@dataclass(frozen=True)
class Choice:
    """A jurisdiction as learner pages need it (picklable for the cache)."""

    pk: int | None
    code: str
    name: str
    note: str = ""
    countries: tuple = ()


GENERAL_CHOICE = Choice(None, GENERAL, GENERAL_NAME)


def _choice(jurisdiction):
    return Choice(
        jurisdiction.pk,
        jurisdiction.code,
        jurisdiction.name,
        jurisdiction.note,
        tuple(jurisdiction.country_list),
    )


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(VERSION_KEY, version, None)
    return version


def forget():
    """Make every cached list stale (after a jurisdiction is saved or deleted)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def all_jurisdictions():
    """Every jurisdiction by code (general always present), in the active language: the
    source rows, with a translation's name and note where one exists. From the cache."""
    from courses.content import page_cache

    language, default = active_language()
    # Kept in the process while the page-cache token stands: a jurisdiction change draws a
    # new one (`courses.signal_handlers.forget_jurisdictions`).
    local_key = f"lantern:jurisdictions:all:{language}"
    found = page_cache.local_get(local_key)
    if found is not None:
        return found
    key = f"{local_key}:{_version()}"
    found = cache.get(key)
    if found is None:
        sources = list(Jurisdiction.objects.sources())
        words = {}
        if language != default:
            words = translated_words(Jurisdiction, language, ("name", "note"))
        found = {}
        for jurisdiction in sources:
            choice = _choice(jurisdiction)
            if jurisdiction.translation_key in words:
                row = words[jurisdiction.translation_key]
                choice = Choice(choice.pk, choice.code, row["name"], row["note"], choice.countries)
            found[jurisdiction.code] = choice
        found.setdefault(GENERAL, GENERAL_CHOICE)
        cache.set(key, found, CACHE_SECONDS)
    page_cache.local_set(local_key, found)
    return found


def course_choices(course):
    """What a learner of this course may pick: general first, then the course's own
    jurisdictions, in the active language. Just general for a course that offers none
    (learners are not asked)."""
    from courses.content import page_cache

    language, _default = active_language()
    local_key = f"lantern:jurisdictions:course:{course.pk}:{course.live_revision_id}:{language}"
    found = page_cache.local_get(local_key)
    if found is not None:
        return found
    key = f"{local_key}:{_version()}"
    found = cache.get(key)
    if found is None:
        everything = all_jurisdictions()
        codes = (
            course.jurisdictions.exclude(code=GENERAL)
            .order_by("sort_order")
            .values_list("code", flat=True)
        )
        found = [everything[GENERAL]] + [everything[code] for code in codes if code in everything]
        cache.set(key, found, CACHE_SECONDS)
    page_cache.local_set(local_key, found)
    return found


def asks_learners(course):
    """Whether learners of this course choose where they work."""
    return len(course_choices(course)) > 1


def for_enrolment(enrolment):
    """The learner's jurisdiction (a Choice): their enrolment's, else general."""
    everything = all_jurisdictions()
    if enrolment is not None and enrolment.jurisdiction_id:
        for choice in everything.values():
            if choice.pk == enrolment.jurisdiction_id:
                return choice
    return everything[GENERAL]


def code_for(enrolment):
    return for_enrolment(enrolment).code
