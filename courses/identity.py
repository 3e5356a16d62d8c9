"""Whether a person has proved they own their email address.

With django-allauth installed, only a verified allauth address counts. Without it (a host site
with its own accounts), every account counts as verified: the host is then responsible.
"""

from django.apps import apps


def email_verified(user):
    """True once the person has confirmed the address they sign in with. Cached on the
    user object for the request."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_lantern_email_verified", None)
    if cached is not None:
        return cached
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        verified = EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists()
    else:
        verified = True
    user._lantern_email_verified = verified
    return verified


def learner_language(user):
    """The language to write to this person in: the one they chose on the host site's language
    switcher (a `preferred_language` attribute on the user model, if it has one), else the
    site's default language. Emails are rendered in it."""
    from django.conf import settings

    language = getattr(user, "preferred_language", "") if user is not None else ""
    return language or settings.LANGUAGE_CODE
