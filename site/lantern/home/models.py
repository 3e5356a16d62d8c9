from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.content.locales import LanguagePrefixMixin


class AudienceCardBlock(blocks.StructBlock):
    """A card that speaks to one audience and links to its training."""

    heading = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock(max_length=400)
    link_page = blocks.PageChooserBlock(required=False)
    link_text = blocks.CharBlock(max_length=60, required=False)

    class Meta:
        icon = "group"
        template = "home/blocks/audience_card.html"
        label = _("Audience card")


class HomePage(LanguagePrefixMixin, Page):
    """The site's front page: what Lantern is and a way in for each audience."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("One or two sentences under the title."),
    )
    audiences = StreamField(
        [("audience", AudienceCardBlock())],
        blank=True,
        verbose_name=_("audiences"),
        help_text=_("One card per audience: police, education, tech & online safety."),
    )
    safety_note = RichTextField(
        _("safety note"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Shown beside the cards: content notes, quick exit and support."),
    )

    content_panels = Page.content_panels + ["intro", "audiences", "safety_note"]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["audience_cards"] = self.audience_cards()
        return context

    def audience_cards(self):
        """Each audience card with the illustration of the course it links to (or None), in
        a constant number of queries."""
        from courses.models import CoursePage

        blocks_ = list(self.audiences)
        ids = [block.value["link_page"].pk for block in blocks_ if block.value["link_page"]]
        courses = (
            CoursePage.objects.filter(pk__in=ids, image__isnull=False)
            .select_related("image")
            .prefetch_related("image__renditions")
        )
        images = {course.pk: course.image for course in courses} if ids else {}
        return [
            (block, images.get(block.value["link_page"].pk) if block.value["link_page"] else None)
            for block in blocks_
        ]
