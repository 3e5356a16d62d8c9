"""Content in the admin: the course settings snippets (audiences, jurisdictions, helplines)
and the language check that warns editors after a save."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.content.language_guard import check_page
from courses.models import (
    Audience,
    CoursePage,
    Helpline,
    Jurisdiction,
    LessonPage,
    ModulePage,
)


class HelplineViewSet(SnippetViewSet):
    model = Helpline
    icon = "help"
    menu_label = _("Helplines")
    list_display = ["name", "country", "phone", "hours", "last_verified"]
    list_filter = ["country"]
    search_fields = ["name", "description"]
    ordering = ["sort_order", "country", "name"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    menu_label = _("Audiences")
    list_display = ["name", "slug"]
    search_fields = ["name"]


class JurisdictionViewSet(SnippetViewSet):
    model = Jurisdiction
    icon = "site"
    menu_label = _("Jurisdictions")
    list_display = ["name", "code", "countries", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]


class CourseSettingsGroup(SnippetViewSetGroup):
    items = (AudienceViewSet, JurisdictionViewSet, HelplineViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Course settings")
    menu_name = "course-settings"
    menu_order = 300


GUARDED_PAGE_TYPES = (CoursePage, ModulePage, LessonPage)


def warn_about_wording(request, page):
    """After a save, warn (never block) about wording the terminology guidelines avoid."""
    page = page.specific
    if not isinstance(page, GUARDED_PAGE_TYPES):
        return
    revision_page = page.get_latest_revision_as_object()
    for warning in check_page(revision_page):
        messages.warning(request, _("Language check: %(warning)s") % {"warning": warning})
