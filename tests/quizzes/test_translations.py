"""Quizzes in another language: translated with wagtail-localize (here through its PO files,
as an outside translator would), shown in the learner's language, and still one assessment —
one set of attempts, one answer key and one item analysis, whatever the language."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail_localize.models import TranslationSource

from quizzes import analysis, privacy, services
from quizzes.admin_views import analysis_url
from quizzes.models import Attempt, Choice, Question, Quiz
from tests import factories

pytestmark = pytest.mark.django_db

SPANISH = {
    "Indicators quiz": "Cuestionario de indicadores",
    "Which is an indicator of control?": "¿Cuál es un indicador de control?",
    "Someone else holds their passport": "Otra persona tiene su pasaporte",
    "They own a phone": "Tiene un teléfono",
    "They are tired": "Está cansada",
    "A child can consent to their own exploitation.": (
        "Un niño o una niña puede consentir su propia explotación."
    ),
    "True": "Verdadero",
    "False": "Falso",
}


def spanish_for(text):
    """The Spanish for the factory quiz's words (explanations and feedback get a marker)."""
    return SPANISH.get(text, f"[es] {text}")


@pytest.fixture
def languages(spanish):
    return spanish


def translate(quiz, locale):
    """The quiz translated through its PO file (tests.conftest.translate_by_po)."""
    source, _ = TranslationSource.get_or_create_from_instance(quiz)
    assert len(source.export_po()) >= 10  # the title, questions, choices, explanations, feedback
    return factories.translate_by_po(quiz, locale, spanish_for)


def in_spanish(name, *args):
    """The page's address in the Spanish interface (/es/…)."""
    with translation.override("es"):
        return reverse(name, args=args)


def two_questions(**settings):
    return factories.make_quiz(
        questions=factories.QUIZ_QUESTIONS[:2],
        review_before_submit=False,
        **settings,
    )


def sit(user, quiz, language, right=True):
    with translation.override(language):
        attempt = services.start_attempt(user, quiz, jurisdiction="")
    answers = {
        q["id"]: [c["id"] for c in q["choices"] if c["correct"] is right][:1]
        for q in attempt.snapshot
    }
    services.submit_attempt(attempt, answers)
    return attempt


class TestTranslating:
    def test_a_po_file_round_trip_makes_a_live_spanish_quiz_with_the_same_answer_key(
        self, languages
    ):
        quiz = two_questions()
        spanish_quiz = translate(quiz, languages)
        assert spanish_quiz.pk != quiz.pk and spanish_quiz.live
        assert spanish_quiz.title == "Cuestionario de indicadores"
        source_questions = {q.translation_key: q for q in quiz.questions.all()}
        for question in spanish_quiz.questions.all():
            original = source_questions[question.translation_key]
            assert question.text == spanish_for(original.text)
            correct = {c.translation_key for c in original.choices.all() if c.is_correct}
            assert {c.translation_key for c in question.choices.all() if c.is_correct} == correct


class TestTaking:
    @pytest.fixture
    def quizzes(self, languages):
        quiz = two_questions(attempts_allowed=1)
        return quiz, translate(quiz, languages)

    def test_a_spanish_learner_gets_spanish_words_on_the_source_quiz(self, learner, quizzes):
        quiz, spanish_quiz = quizzes
        with translation.override("es"):
            attempt = services.start_attempt(learner, spanish_quiz, jurisdiction="")
        assert attempt.quiz_id == quiz.pk  # the attempt belongs to the source quiz
        assert attempt.language == "es"
        assert {q["text"] for q in attempt.snapshot} == {
            "¿Cuál es un indicador de control?",
            "Un niño o una niña puede consentir su propia explotación.",
        }
        # The ids are the source's: scoring and item analysis are the same in every language.
        assert {q["id"] for q in attempt.snapshot} == set(
            quiz.questions.values_list("pk", flat=True)
        )
        choice_ids = {c["id"] for q in attempt.snapshot for c in q["choices"]}
        assert choice_ids == set(
            Choice.objects.filter(question__quiz=quiz).values_list("pk", flat=True)
        )
        feedback = {c["feedback"] for q in attempt.snapshot for c in q["choices"]}
        assert all(text.startswith("[es] ") for text in feedback)

    def test_in_english_the_same_quiz_is_in_english(self, learner, quizzes):
        quiz, _ = quizzes
        attempt = services.start_attempt(learner, quiz, jurisdiction="")
        assert attempt.language == "en-gb"
        assert "Which is an indicator of control?" in {q["text"] for q in attempt.snapshot}

    def test_switching_language_gives_no_extra_attempt(self, client, learner, quizzes):
        quiz, spanish_quiz = quizzes
        sit(learner, quiz, "en-gb", right=False)  # the one attempt allowed, failed
        client.force_login(learner)
        response = client.post(in_spanish("quizzes:start", spanish_quiz.pk))
        assert response.status_code == 302
        assert Attempt.objects.filter(user=learner).count() == 1
        with translation.override("es"), pytest.raises(services.QuizError):
            services.start_attempt(learner, spanish_quiz, jurisdiction="")

    def test_a_translation_cannot_change_the_answer_key(self, learner, quizzes):
        quiz, spanish_quiz = quizzes
        # Someone marks every Spanish choice correct (a careless or hostile translation).
        Choice.objects.filter(question__quiz=spanish_quiz).update(is_correct=True)
        attempt = sit(learner, spanish_quiz, "es", right=False)
        assert attempt.language == "es"
        assert attempt.passed is False and attempt.percent == 0
        keyed = {c["id"]: c["correct"] for q in attempt.snapshot for c in q["choices"]}
        source = dict(Choice.objects.filter(question__quiz=quiz).values_list("pk", "is_correct"))
        assert keyed == source

    def test_an_out_of_date_translation_is_not_used_at_all(self, learner, quizzes):
        quiz, _ = quizzes
        # The source gains a question the translation does not have yet.
        question = Question.objects.create(
            quiz=quiz, kind="true_false", text="Debt can be used to control someone.", sort_order=9
        )
        Choice.objects.create(question=question, text="True", is_correct=True, sort_order=0)
        Choice.objects.create(question=question, text="False", is_correct=False, sort_order=1)
        with translation.override("es"):
            attempt = services.start_attempt(learner, quiz, jurisdiction="")
        assert attempt.language == "en-gb"  # all English, never a mixture
        assert "Which is an indicator of control?" in {q["text"] for q in attempt.snapshot}
        assert not any(q["text"].startswith("¿") for q in attempt.snapshot)

    def test_the_learners_data_download_says_what_language_they_were_shown(self, learner, quizzes):
        _, spanish_quiz = quizzes
        sit(learner, spanish_quiz, "es")
        [exported] = privacy.export_user_data(learner)["attempts"]
        assert exported["language"] == "es"
        assert exported["answers"][0]["question"] == "¿Cuál es un indicador de control?"

    def test_a_draft_translation_is_not_shown(self, learner, quizzes):
        quiz, spanish_quiz = quizzes
        Quiz.objects.filter(pk=spanish_quiz.pk).update(live=False)
        with translation.override("es"):
            attempt = services.start_attempt(learner, quiz, jurisdiction="")
        assert attempt.language == "en-gb"


class TestPages:
    @pytest.fixture
    def quizzes(self, languages):
        quiz = two_questions()
        return quiz, translate(quiz, languages)

    def test_a_translations_address_leads_to_the_quiz_in_the_learners_language(
        self, client, learner, quizzes
    ):
        quiz, spanish_quiz = quizzes
        client.force_login(learner)
        response = client.get(in_spanish("quizzes:detail", spanish_quiz.pk) + "?next=/courses/")
        assert response.status_code == 302
        assert response["Location"] == f"/es/quizzes/{quiz.pk}/?next=/courses/"
        page = client.get(response["Location"]).content.decode()
        assert "Cuestionario de indicadores" in page
        # (A request leaves its language active in the test's thread: name the language.)
        with translation.override("en-gb"):
            english = client.get(reverse("quizzes:detail", args=[quiz.pk]))
        assert "Indicators quiz" in english.content.decode()
        assert "Cuestionario" not in english.content.decode()

    def test_the_attempt_and_result_keep_the_attempts_language(self, client, learner, quizzes):
        quiz, _ = quizzes
        client.force_login(learner)
        client.post(in_spanish("quizzes:start", quiz.pk))
        attempt = Attempt.objects.get(user=learner)
        assert attempt.language == "es"
        # Read later with an English browser: the words stay those the attempt was shown in.
        with translation.override("en-gb"):
            page = client.get(reverse("quizzes:attempt", args=[attempt.pk]))  # in English
        assert "¿Cuál es un indicador de control?" in page.content.decode()
        assert "Cuestionario de indicadores" in page.content.decode()
        client.post(
            reverse("quizzes:attempt", args=[attempt.pk]),
            {**factories.correct_answers(attempt), "action": "submit"},
        )
        result = client.get(reverse("quizzes:result", args=[attempt.pk]))
        assert "Cuestionario de indicadores" in result.content.decode()


class TestAnalysis:
    @pytest.fixture
    def sat(self, languages, make_user):
        quiz = two_questions()
        spanish_quiz = translate(quiz, languages)
        sit(make_user("a@example.org"), quiz, "en-gb", right=True)
        sit(make_user("b@example.org"), spanish_quiz, "es", right=True)
        sit(make_user("c@example.org"), quiz, "es", right=False)
        return quiz, spanish_quiz

    def test_one_analysis_gathers_every_language_and_filters_by_one(self, sat):
        quiz, _ = sat
        assert analysis.languages_in_attempts(quiz) == ["en-gb", "es"]
        everyone = analysis.analyse_quiz(quiz)
        assert everyone.test.attempts == 3
        spanish = analysis.analyse_quiz(quiz, language="es")
        assert spanish.test.attempts == 2 and spanish.test.mean == pytest.approx(50)

    def test_the_report_filters_by_language_and_a_translation_leads_to_it(self, admin_client, sat):
        quiz, spanish_quiz = sat
        page = admin_client.get(analysis_url(quiz)).content.decode()
        assert 'name="language"' in page and '<option value="es">español</option>' in page
        filtered = admin_client.get(analysis_url(quiz), {"language": "es"})
        assert filtered.context["analysis"].test.attempts == 2
        assert admin_client.get(analysis_url(quiz), {"language": "xx"}).status_code == 400
        moved = admin_client.get(analysis_url(spanish_quiz), {"language": "es"})
        assert moved.status_code == 302
        assert moved["Location"] == analysis_url(quiz, language="es")
