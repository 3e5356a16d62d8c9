"""Signals the quizzes app sends; other apps (e.g. courses) listen."""

from django.dispatch import Signal

# Sent after an attempt is scored and committed. Arguments: attempt, user, quiz, passed.
attempt_submitted = Signal()

# Sent after commit when a learner starts a new attempt. Arguments: attempt, user, quiz.
attempt_started = Signal()
