"""Wires the terminology scanner (`courses.content.terminology`) into the Wagtail admin.

Editors are warned, never blocked: a panel at the top of the editor lists wording to avoid
in the version being edited, and a warning message follows every save that contains some.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel
from wagtail.fields import RichTextField, StreamField

from courses.content.terminology import scan_values, summarise


def page_text_values(page):
    """(field name, text) for the title and every text, rich text and StreamField field."""
    values = [("title", page.title or "")]
    for field in page._meta.get_fields():
        if not getattr(field, "concrete", False) or field.name in {"title", "slug", "url_path"}:
            continue
        value = getattr(page, field.attname, None)
        if value in (None, ""):
            continue
        if isinstance(field, StreamField):
            text = "\n\n".join(str(part) for part in field.get_searchable_content(value))
        elif isinstance(field, RichTextField) or field.get_internal_type() in {
            "TextField",
            "CharField",
        }:
            text = str(value)
        else:
            continue
        values.append((field.name, text))
    return values


def field_labels(page):
    labels = {}
    for field in page._meta.get_fields():
        if getattr(field, "verbose_name", None):
            labels[field.name] = str(field.verbose_name).capitalize()
    return labels


def check_page(page):
    """Human-readable warnings for the page's wording, one per term found."""
    return summarise(scan_values(page_text_values(page)), field_labels=field_labels(page))


class TerminologyPanel(Panel):
    """Lists avoid-terms found in the page as saved, with suggested alternatives."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Language check"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/terminology_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["warnings"] = check_page(page) if page is not None and page.pk else []
            return context
