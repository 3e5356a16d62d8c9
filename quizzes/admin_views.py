"""The item-analysis report in the Wagtail admin: a page per quiz and its CSV download."""

import csv
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import UnpublishView as SnippetUnpublishView

from . import translations
from .analysis import analyse_quiz, jurisdictions_in_attempts, languages_in_attempts
from .conf import GENERAL
from .models import Quiz

PERMISSION = "quizzes.change_quiz"

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = [
    "question_id",
    "question",
    "in_quiz",
    "attempts",
    "facility_percent",
    "sd_percent",
    "discrimination_percent",
    "choice_id",
    "choice",
    "correct",
    "selected",
    "selected_percent",
]


def language_name(code):
    """A language code's name in its own language ("es": "español"), or the code."""
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def can_view_analysis(user):
    """Editors who may change quizzes (superusers have every permission)."""
    return bool(user and user.is_active and user.has_perm(PERMISSION))


def analysis_url(quiz, all_attempts=False, jurisdiction=None, language=None):
    """The report's URL; `jurisdiction` (a code, "" for general) and `language` (a language
    code) filter it."""
    url = reverse("quizzes_analysis", args=[getattr(quiz, "pk", quiz)])
    params = {}
    if all_attempts:
        params["attempts"] = "all"
    if jurisdiction is not None:
        params["jurisdiction"] = jurisdiction or GENERAL
    if language is not None:
        params["language"] = language
    return f"{url}?{urlencode(params)}" if params else url


def neutralise(value):
    """Text cells that a spreadsheet would run as a formula get a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def rounded(value, places=2):
    return "" if value is None else round(value, places)


def csv_rows(analysis):
    """One row per question and choice (and one for blank answers, when there are any)."""
    yield CSV_HEADER
    for q in analysis.questions:
        base = [
            q.question_id,
            q.text,
            q.in_quiz,
            q.attempts,
            rounded(q.facility),
            rounded(q.sd),
            rounded(q.discrimination),
        ]
        for c in q.choices:
            yield [*base, c.choice_id, c.text, c.correct, c.count, rounded(c.rate)]
        if q.unanswered:
            yield [*base, "", "(no answer)", False, q.unanswered, rounded(q.unanswered_rate)]


def csv_response(quiz, analysis):
    which = "first" if analysis.first_only else "all"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="quiz-{quiz.pk}-item-analysis-{which}-attempts.csv"'
    )
    writer = csv.writer(response)
    for row in csv_rows(analysis):
        writer.writerow([neutralise(cell) for cell in row])
    return response


class QuizAnalysisView(WagtailAdminTemplateMixin, TemplateView):
    """Per-question facility, spread, discrimination and choice rates, with the test summary.

    `?attempts=all` counts every submitted attempt (default: each learner's first);
    `?export=csv` downloads the same figures.
    """

    template_name = "quizzes/admin/analysis.html"
    header_icon = "tasks"
    page_title = _("Item analysis")

    def dispatch(self, request, quiz_id):
        if not can_view_analysis(request.user):
            return permission_denied(request)
        quiz = get_object_or_404(Quiz.objects.select_related("locale"), pk=quiz_id)
        self.quiz = translations.source_quiz(quiz)
        if self.quiz.pk != quiz.pk:
            # A translation's attempts are the source quiz's: one report for all languages.
            url = reverse("quizzes_analysis", args=[self.quiz.pk])
            query = request.META.get("QUERY_STRING", "")
            return redirect(f"{url}?{query}" if query else url)
        self.first_only = request.GET.get("attempts") != "all"
        self.jurisdictions = jurisdictions_in_attempts(self.quiz)
        chosen = request.GET.get("jurisdiction", "")
        if chosen in ("", "all"):
            self.jurisdiction = None
        else:
            self.jurisdiction = "" if chosen == GENERAL else chosen
            if self.jurisdiction not in self.jurisdictions:
                return HttpResponseBadRequest(_("No attempts were made in that jurisdiction."))
        self.languages = languages_in_attempts(self.quiz)
        self.language = request.GET.get("language", "all")
        if self.language == "all":
            self.language = None
        elif self.language not in self.languages:
            return HttpResponseBadRequest(_("No attempts were made in that language."))
        return super().dispatch(request, quiz_id)

    def get(self, request, *args, **kwargs):
        self.analysis = analyse_quiz(
            self.quiz,
            first_only=self.first_only,
            jurisdiction=self.jurisdiction,
            language=self.language,
        )
        if request.GET.get("export") == "csv":
            return csv_response(self.quiz, self.analysis)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.quiz)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_quizzes_quiz:list"), "label": _("Quizzes")},
            {
                "url": reverse("wagtailsnippets_quizzes_quiz:edit", args=[self.quiz.pk]),
                "label": str(self.quiz),
            },
            {"url": "", "label": _("Item analysis")},
        ]

    def get_header_buttons(self):
        url = analysis_url(self.quiz, not self.first_only, self.jurisdiction, self.language)
        separator = "&" if "?" in url else "?"
        return [
            HeaderButton(_("Download CSV"), url=f"{url}{separator}export=csv", icon_name="download")
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            quiz=self.quiz,
            analysis=self.analysis,
            first_only=self.first_only,
            first_url=analysis_url(
                self.quiz, jurisdiction=self.jurisdiction, language=self.language
            ),
            all_url=analysis_url(
                self.quiz, all_attempts=True, jurisdiction=self.jurisdiction, language=self.language
            ),
            jurisdiction_options=[
                (code or GENERAL, code or _("General (no jurisdiction)"))
                for code in self.jurisdictions
            ],
            jurisdiction=None if self.jurisdiction is None else (self.jurisdiction or GENERAL),
            language_options=[(code, language_name(code)) for code in self.languages],
            language=self.language,
        )
        return context


# --- unpublishing -----------------------------------------------------------------------------

# Apps that build on quizzes register functions under this Wagtail hook name:
# ``fn(quiz) -> list[str]``, each string a place that depends on the quiz being live (the
# courses app: the lessons that require it). Quizzes knows nothing of those apps.
QUIZ_DEPENDANTS_HOOK = "describe_quiz_dependants"


def quiz_dependants(quiz):
    """What else needs this quiz published, as described by the hooks' functions."""
    from wagtail import hooks

    return [item for fn in hooks.get_hooks(QUIZ_DEPENDANTS_HOOK) for item in fn(quiz)]


class QuizUnpublishView(SnippetUnpublishView):
    """Unpublish confirmation that warns (without blocking) about what depends on the quiz."""

    template_name = "quizzes/admin/confirm_unpublish.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dependants"] = quiz_dependants(self.object)
        return context
