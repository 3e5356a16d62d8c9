from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import conf, services, translations
from .forms import AnswerField, read_answers
from .models import Attempt, AttemptStatus, Quiz


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _with_next(url, next_url):
    from urllib.parse import urlencode

    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def quiz_detail(request, quiz_id):
    """The quiz's rules, the learner's attempts, and a way to start or resume."""
    quiz = get_object_or_404(Quiz.objects.filter(live=True).select_related("locale"), pk=quiz_id)
    source = translations.source_quiz(quiz)
    if source.pk != quiz.pk:
        # A translation's address (a translated lesson links it): the quiz is the source's,
        # shown in the learner's language.
        url = reverse("quizzes:detail", args=[source.pk])
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{url}?{query}" if query else url)
    attempts, refusal, current, since = [], None, None, None
    if request.user.is_authenticated:
        services.finalise_expired(request.user, quiz)
        attempts = list(Attempt.objects.filter(user=request.user, quiz=quiz).order_by("number"))
        current = next((a for a in attempts if a.is_open), None)
        refusal = None if current else services.start_refusal(request.user, quiz)
        since = conf.attempts_count_since(request.user, quiz)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": translations.shown_in(quiz, translations.active_locale()),
            "attempts": attempts,
            "current": current,
            "refusal": refusal,
            # A pass counts in the window it was started in (a new certification cycle, say).
            "passed": any(a.passed and (since is None or a.started_at >= since) for a in attempts),
            "question_count": quiz.questions_to_draw or quiz.questions.count(),
            "minutes": services.time_allowed(request.user, quiz)
            if request.user.is_authenticated
            else quiz.time_limit_minutes or None,
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def start(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.filter(live=True).select_related("locale"), pk=quiz_id)
    next_url = _next_url(request)
    try:
        attempt = services.start_attempt(request.user, quiz)
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect(_with_next(reverse("quizzes:detail", args=[quiz.pk]), next_url))
    return redirect(_with_next(reverse("quizzes:attempt", args=[attempt.pk]), next_url))


def _attempt_context(attempt, answers, errors=None, next_url=""):
    now = timezone.now()
    remaining = seconds_left = minutes_allowed = None
    if attempt.deadline_at:
        seconds_left = max(0, int((attempt.deadline_at - now).total_seconds()))
        remaining = seconds_left // 60
        minutes_allowed = round((attempt.deadline_at - attempt.started_at).total_seconds() / 60)
    questions = []
    for position, question in enumerate(attempt.snapshot, start=1):
        chosen = answers.get(question["id"]) or answers.get(str(question["id"])) or []
        questions.append(
            {
                "position": position,
                "id": question["id"],
                "kind": question["kind"],
                "multiple": question["kind"] == "multiple",
                "vignette": question["vignette"],
                "text": question["text"],
                # Only what the learner needs to answer: never the correct flags or feedback.
                "choices": [
                    {"id": c["id"], "text": c["text"], "checked": c["id"] in chosen}
                    for c in question["choices"]
                ],
                "error": (errors or {}).get(question["id"]),
                "answered": bool(chosen),
                "chosen_text": [c["text"] for c in question["choices"] if c["id"] in chosen],
            }
        )
    return {
        "attempt": attempt,
        "quiz": translations.shown_in(attempt.quiz, translations.locale_for(attempt.language)),
        "questions": questions,
        "form_error": (errors or {}).get("__all__"),
        "errors": errors,
        "remaining_minutes": remaining,
        "seconds_left": seconds_left,
        "minutes_allowed": minutes_allowed,
        "next": next_url,
    }


@login_required
@require_http_methods(["GET", "POST"])
def attempt_view(request, attempt_id):
    """Answer, save, review and submit. Only the attempt's owner ever reaches it."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, user=request.user
    )
    next_url = _next_url(request)
    result_url = _with_next(reverse("quizzes:result", args=[attempt.pk]), next_url)
    if not attempt.is_open:
        if request.method == "POST":
            messages.info(request, _("This attempt was already submitted."))
        return redirect(result_url)
    if services.finalise_if_expired(attempt):
        return _timed_out(request, attempt, result_url)
    if request.method == "GET":
        return render(
            request,
            "quizzes/attempt.html",
            _attempt_context(attempt, attempt.draft_answers, next_url=next_url),
        )

    action = request.POST.get("action", "save")
    has_answers = any(key.startswith("q") for key in request.POST)
    if action == "submit" and not has_answers and attempt.quiz.review_before_submit:
        answers, errors = {int(k): v for k, v in attempt.draft_answers.items()}, {}
    else:
        answers, errors = read_answers(attempt, request.POST)
    if errors:
        return render(
            request,
            "quizzes/attempt.html",
            _attempt_context(attempt, answers, errors, next_url),
            status=400,
        )
    expired = services.time_is_up(attempt)
    if action == "save" and not expired:
        if not services.save_draft(attempt, answers):
            return _timed_out(request, attempt, result_url)
        messages.success(request, _("Your answers are saved. You can come back to finish."))
        return redirect(_with_next(reverse("quizzes:attempt", args=[attempt.pk]), next_url))
    missing = services.missing_questions(attempt, answers)
    if missing and not expired:
        errors = {
            q["id"]: _("Question %(n)s: choose an answer.") % {"n": n}
            for n, q in enumerate(attempt.snapshot, start=1)
            if n in missing
        }
        errors["__all__"] = _("Answer every question before you go on.")
        if not services.save_draft(attempt, answers):
            return _timed_out(request, attempt, result_url)
        return render(
            request,
            "quizzes/attempt.html",
            _attempt_context(attempt, answers, errors, next_url),
            status=400,
        )
    if action == "review" and attempt.quiz.review_before_submit and not expired:
        if not services.save_draft(attempt, answers):
            return _timed_out(request, attempt, result_url)
        return render(
            request, "quizzes/review.html", _attempt_context(attempt, answers, next_url=next_url)
        )
    submission = services.submit_attempt(attempt, answers)
    if submission.attempt.timed_out:
        messages.error(request, services.time_up_message(submission.attempt))
    return redirect(result_url)


def _result_items(attempt, feedback):
    """Per-question feedback with only what `feedback` allows: without the key, the correct
    choices and the choices' feedback never reach the template."""
    if not feedback.items:
        return []
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    items = []
    for position, question in enumerate(attempt.snapshot, start=1):
        answer = answers.get(question["id"])
        picked = set(answer.choice_ids) if answer else set()
        score = answer.score if answer else 0.0
        outcome = "correct" if score >= 1 else "partly" if score > 0 else "incorrect"
        item = {
            "position": position,
            "text": question["text"],
            "vignette": question["vignette"],
            "explanation": question["explanation"],
            "outcome": outcome,
            "marks": score,
            "max_marks": answer.max_score if answer else 1.0,
            "total": len(attempt.snapshot),
            # The learner's own answer, except a right one before the key is released.
            "your_answer": [c["text"] for c in question["choices"] if c["id"] in picked]
            if feedback.key or outcome != "correct"
            else None,
            "choices": [],
        }
        if feedback.key:
            item["choices"] = [
                dict(choice, chosen=choice["id"] in picked) for choice in question["choices"]
            ]
        items.append(item)
    return items


def _timed_out(request, attempt, result_url):
    """The hard deadline passed: what was sent is ignored, the saved answers were marked."""
    services.finalise_if_expired(attempt)
    attempt.refresh_from_db()
    if attempt.timed_out:
        messages.error(request, services.time_up_message(attempt))
    else:
        messages.info(request, _("This attempt was already submitted."))
    return redirect(result_url)


def _refusal(message, status, **extra):
    return JsonResponse({"saved": False, "error": str(message), **extra}, status=status)


@login_required
@require_POST
def autosave(request, attempt_id):
    """Save one answer as the learner goes: POST `question` (an id) and `choice` (ids, none to
    clear). Answers JSON that never says which choice is correct."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz"), pk=attempt_id, user=request.user
    )
    result_url = reverse("quizzes:result", args=[attempt.pk])
    if not attempt.is_open:
        return _refusal(_("This attempt was already submitted."), 409, result_url=result_url)
    position, question = next(
        (
            (n, q)
            for n, q in enumerate(attempt.snapshot, start=1)
            if str(q["id"]) == request.POST.get("question", "")
        ),
        (None, None),
    )
    if question is None:
        return _refusal(_("That question is not part of this attempt."), 400)
    try:
        chosen = AnswerField(question=question, position=position).clean(
            request.POST.getlist("choice")
        )
        saved_at = services.save_answer(attempt, question["id"], chosen)
    except ValidationError as error:
        return _refusal(error.messages[0], 400)
    except services.TooLate as error:
        services.finalise_if_expired(attempt)
        return _refusal(error, 409, closed=True, result_url=result_url)
    except services.AttemptClosed as error:
        return _refusal(error, 409, closed=True, result_url=result_url)
    return JsonResponse({"saved": True, "saved_at": saved_at.isoformat()})


@login_required
def result(request, attempt_id):
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz").prefetch_related("answers"),
        pk=attempt_id,
        user=request.user,
    )
    if attempt.is_open:
        if not services.finalise_if_expired(attempt):
            return redirect("quizzes:attempt", attempt.pk)
        messages.error(request, services.time_up_message(attempt))
        return redirect(request.get_full_path())
    feedback = services.feedback_for(attempt)
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "quiz": translations.shown_in(attempt.quiz, translations.locale_for(attempt.language)),
            "review": _result_items(attempt, feedback),
            "feedback": feedback,
            "rejected": attempt.status == AttemptStatus.REJECTED,
            "next": _next_url(request),
            "next_step": conf.next_step(request.user, attempt.quiz, attempt, request),
            # Why "Try again" cannot be offered now (attempts used up, a wait), if it cannot.
            "retry_refusal": None
            if attempt.passed
            else services.start_refusal(request.user, attempt.quiz),
        },
    )
