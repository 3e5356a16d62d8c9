"""The "Checks" panel at the top of the quiz editor: the blueprint's pool sizes and the
item-writing checks (`quizzes.item_checks`) for the version being edited. It warns; it never
blocks saving."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class QuizChecksPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Checks"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "quizzes/admin/checks_panel.html"

        def get_context_data(self, parent_context=None):
            from .item_checks import blueprint_table, check_quiz

            context = super().get_context_data(parent_context)
            quiz = self.instance
            saved = quiz is not None and quiz.pk is not None
            context["saved"] = saved
            context["findings"] = check_quiz(quiz, with_statistics=True) if saved else []
            context["blueprint"] = blueprint_table(quiz) if saved else []
            return context
