"""Jurisdictions: where a learner works, which decides the duties a lesson shows them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldRowPanel
from wagtail.search import index

# The fallback every learner sees when they have picked nothing (or their choice has no
# variant in a lesson). Always offered; created by the migration.
GENERAL = "general"
GENERAL_NAME = "International / general"


class Jurisdiction(index.Indexed, models.Model):
    """A legal system learners work under, e.g. England and Wales, or the United States."""

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
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

    panels = [FieldRowPanel(["code", "sort_order"]), "name", "note", "countries"]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def country_list(self):
        return [c.strip() for c in self.countries.split(",") if c.strip()]

    @property
    def is_general(self):
        return self.code == GENERAL


def jurisdiction_choices():
    """(code, name) of every jurisdiction, general first: the choices of lesson blocks."""
    rows = list(Jurisdiction.objects.order_by("sort_order", "name").values_list("code", "name"))
    if not any(code == GENERAL for code, _name in rows):
        rows.insert(0, (GENERAL, GENERAL_NAME))
    rows.sort(key=lambda row: row[0] != GENERAL)
    return rows
