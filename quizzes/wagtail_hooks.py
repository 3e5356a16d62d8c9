"""Admin registration for quizzes: the quiz editor (nested questions and choices), time
accommodations, and the item analysis report linked from each quiz in the listing."""

from django.contrib import messages
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import converters
from .admin_views import QuizAnalysisView, QuizUnpublishView, analysis_url, can_view_analysis
from .item_checks import check_quiz
from .models import Accommodation, Quiz

converters.register()  # before the viewsets build their URLs with <id:...>


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "pass_mark", "attempts_allowed", "time_limit_minutes", "live"]
    search_fields = ["title"]
    unpublish_view_class = QuizUnpublishView
    pk_path_converter = "id"  # a 404 for ids beyond 64 bits


class AccommodationViewSet(SnippetViewSet):
    model = Accommodation
    icon = "time"
    menu_label = _("Time accommodations")
    list_display = ["user", "quiz", "extra_time_percent", "no_time_limit"]
    panels = ["user", "quiz", "extra_time_percent", "no_time_limit", "note"]


class QuizGroup(SnippetViewSetGroup):
    items = (QuizViewSet, AccommodationViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    menu_order = 290


register_snippet(QuizGroup)


@hooks.register("register_admin_urls")
def register_quiz_analysis_urls():
    converters.register()
    return [
        path(
            "quizzes/<id:quiz_id>/analysis/",
            QuizAnalysisView.as_view(),
            name="quizzes_analysis",
        )
    ]


@hooks.register("register_snippet_listing_buttons")
def quiz_analysis_listing_button(snippet, user, next_url=None):
    """ "Item analysis" in each quiz's "more" menu in the quiz listing."""
    if isinstance(snippet, Quiz) and can_view_analysis(user):
        yield Button(_("Item analysis"), url=analysis_url(snippet), icon_name="table", priority=25)


MAX_CHECK_MESSAGES = 5


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_about_item_writing(request, instance):
    """After a save, warn (never block) about item-writing flaws in the saved quiz."""
    if not isinstance(instance, Quiz):
        return
    quiz = instance.get_latest_revision_as_object() if instance.latest_revision_id else instance
    findings = check_quiz(quiz)
    for finding in findings[:MAX_CHECK_MESSAGES]:
        messages.warning(request, _("Item-writing check: %(finding)s") % {"finding": finding})
    if len(findings) > MAX_CHECK_MESSAGES:
        messages.warning(
            request,
            _("Item-writing checks: %(n)s more in the Checks panel.")
            % {"n": len(findings) - MAX_CHECK_MESSAGES},
        )
