"""The settings quizzes reads, with their defaults, in one place.

``QUIZZES_ATTEMPT_WINDOW`` (default ``None``): the dotted path of a callable
``window(user, quiz) -> datetime | None`` saying since when a learner's attempts count, for
attempt limits and cooldowns. The host decides what a window is (the courses app: the current
certification cycle); ``None``, as setting or as answer, means all of the learner's attempts.

``QUIZZES_NEXT_STEP`` (default ``None``): the dotted path of a callable
``next_step(user, quiz, attempt, request) -> {"url", "label"} | None`` naming where a learner
goes after passing (the courses app: complete the lesson that holds the quiz and go on). The
result page shows it as its primary action, a form POSTed with a CSRF token to ``url``.

``QUIZZES_AUTHORING_GUIDE_URL`` (default empty): where the item-writing checks link to.

``QUIZZES_LEARNER_JURISDICTION`` (default ``None``): the dotted path of a callable
``jurisdiction(user, quiz) -> str`` giving the code of the jurisdiction the learner works in
(the courses app: the one on their enrolment in the course holding the quiz), or ``""``.
Questions tagged with jurisdiction codes are drawn only for learners with one of those codes;
untagged questions are for everyone. ``None``, or ``""``, means general: untagged questions
only.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def attempt_window():
    """The host's window callable, or None."""
    path = getattr(settings, "QUIZZES_ATTEMPT_WINDOW", None)
    return import_string(path) if path else None


def attempts_count_since(user, quiz):
    """Since when this learner's attempts at this quiz count (None: all of them)."""
    window = attempt_window()
    if window is None or not getattr(user, "is_authenticated", False):
        return None
    return window(user, quiz)


def next_step(user, quiz, attempt, request):
    """The host's next step after a passed attempt ({"url", "label"}), or None."""
    path = getattr(settings, "QUIZZES_NEXT_STEP", None)
    if not path or not attempt.passed:
        return None
    return import_string(path)(user, quiz, attempt, request)


def authoring_guide_url():
    """Where the item-writing checks link to: the published docs/authoring.md. Empty: the
    checks name the section instead of linking to it."""
    return getattr(settings, "QUIZZES_AUTHORING_GUIDE_URL", "")


GENERAL = "general"


def normalise_jurisdiction(code):
    """A jurisdiction code as attempts store it: lower case, "" for general."""
    code = (code or "").strip().lower()
    return "" if code == GENERAL else code


def learner_jurisdiction(user, quiz):
    """The learner's jurisdiction code for this quiz ("" for general)."""
    path = getattr(settings, "QUIZZES_LEARNER_JURISDICTION", None)
    if not path or not getattr(user, "is_authenticated", False):
        return ""
    return normalise_jurisdiction(import_string(path)(user, quiz))
