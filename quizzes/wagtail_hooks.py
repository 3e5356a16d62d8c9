"""Admin registration for quizzes: the quiz editor (nested questions and choices) and
time accommodations."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Accommodation, Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "pass_mark", "attempts_allowed", "time_limit_minutes", "live"]
    search_fields = ["title"]


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
