"""Admin registration for the courses app."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Helpline


class HelplineViewSet(SnippetViewSet):
    model = Helpline
    icon = "help"
    menu_label = _("Helplines")
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["name", "country", "phone", "hours", "last_verified"]
    list_filter = ["country"]
    search_fields = ["name", "description"]
    ordering = ["sort_order", "country", "name"]


register_snippet(HelplineViewSet)
