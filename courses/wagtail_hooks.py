"""Admin registration for the courses app."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import EnrolmentViewSet
from .language_guard import check_page
from .models import Audience, CoursePage, Helpline, LessonPage, ModulePage


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


class CourseSettingsGroup(SnippetViewSetGroup):
    items = (AudienceViewSet, HelplineViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Course settings")
    menu_name = "course-settings"
    menu_order = 300


register_snippet(CourseSettingsGroup)


GUARDED_PAGE_TYPES = (CoursePage, ModulePage, LessonPage)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_wording(request, page):
    """After a save, warn (never block) about wording the terminology guidelines avoid."""
    page = page.specific
    if not isinstance(page, GUARDED_PAGE_TYPES):
        return
    revision_page = page.get_latest_revision_as_object()
    for warning in check_page(revision_page):
        messages.warning(request, _("Language check: %(warning)s") % {"warning": warning})


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return EnrolmentViewSet("enrolments")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    from .certificate_admin import CertificateViewSet

    return CertificateViewSet("certificates")


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    from . import certificate_admin

    certificate_admin.register_certificate_log_actions(actions)


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    from .cohort_admin import OrganisationsGroup

    return OrganisationsGroup()
