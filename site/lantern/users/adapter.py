"""django-allauth adapter: after signing in, the person lands on My learning in the language
they chose on the language switcher (remembered on their account)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        language = getattr(request.user, "language", "")
        if language in dict(settings.LANGUAGES) and language != translation.get_language():
            with translation.override(language):
                return super().get_login_redirect_url(request)
        return super().get_login_redirect_url(request)
