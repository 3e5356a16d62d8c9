from wagtail.fields import RichTextField
from wagtail.models import Page


class BarePage(Page):
    """A title and rich text, rendered with Wagtail's project-template base.html: the yardstick."""

    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels, "body"]
    template = "barepage/bare_page.html"

    class Meta:
        verbose_name = "bare page"
