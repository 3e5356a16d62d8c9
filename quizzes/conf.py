"""Settings the quizzes app reads, with their defaults."""

from django.conf import settings


def authoring_guide_url():
    """Where the item-writing checks link to: the published docs/authoring.md. Empty: the
    checks name the section instead of linking to it."""
    return getattr(settings, "QUIZZES_AUTHORING_GUIDE_URL", "")
