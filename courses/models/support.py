import copy

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldRowPanel, MultiFieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index

from courses.models.translations import active_language, content_language, translated_words

INTERNATIONAL = "International"


# What a translation of a helpline may change: its words. How to reach the service (numbers,
# website, hours of opening excepted), its country, order and check date are always the
# source's, so a translation that has not caught up never shows an old phone number.
TRANSLATED_FIELDS = ("name", "description", "hours")


class HelplineQuerySet(models.QuerySet):
    def sources(self):
        """The helplines in the site's default language (each service once)."""
        return self.filter(locale__language_code=content_language())

    def for_learners(self):
        """The source helplines of this queryset as a list, each in the active language:
        a translation's name, description and hours where one exists, the source's contact
        details always. One query, two with a translation in play."""
        helplines = list(self.sources())
        active, default = active_language()
        if not helplines or active == default:
            return helplines
        words = translated_words(
            Helpline, active, TRANSLATED_FIELDS, [h.translation_key for h in helplines]
        )
        shown = []
        for helpline in helplines:
            if helpline.translation_key in words:
                helpline = copy.copy(helpline)  # for display only, never saved
                for field in TRANSLATED_FIELDS:
                    setattr(helpline, field, words[helpline.translation_key][field])
            shown.append(helpline)
        return shown

    def for_country(self, country):
        """Helplines for one country plus the international ones; all of them for ''."""
        if not country:
            return self
        return self.filter(models.Q(country__iexact=country) | models.Q(country=INTERNATIONAL))


class Helpline(TranslatableMixin, index.Indexed, models.Model):
    """A support service shown on the support page and in lessons (helplines block)."""

    country = models.CharField(
        _("country"),
        max_length=100,
        help_text=_(f'The country the service covers, or "{INTERNATIONAL}".'),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Who it helps and how, in one or two lines.")
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    text = models.CharField(
        _("text / SMS"), max_length=100, blank=True, help_text=_("A number or short code.")
    )
    website = models.URLField(_("website"), blank=True)
    hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_('For example "24/7".')
    )
    last_verified = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When an editor last checked these details with the service itself."),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=100, help_text=_("Lower numbers are listed first.")
    )

    objects = HelplineQuerySet.as_manager()

    panels = [
        FieldRowPanel(["country", "sort_order"]),
        "name",
        "description",
        MultiFieldPanel(["phone", "text", "website", "hours"], heading=_("How to reach it")),
        "last_verified",
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("description"),
        index.FilterField("country"),
        index.AutocompleteField("name"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("helpline")
        verbose_name_plural = _("helplines")
        ordering = ["sort_order", "country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name", "locale"], name="courses_helpline_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(phone="", text="", website=""),
                name="courses_helpline_reachable",
                violation_error_message=_(
                    "Give at least a phone number, a text number or a website."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"

    @property
    def phone_href(self):
        """A tel: link target: digits and a leading + only."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}" if digits else ""
