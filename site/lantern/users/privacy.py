"""Download my data and delete my account, for the person themselves."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string


def profile_data(user):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name_on_certificate": user.name_on_certificate,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Which kinds of second factor are on, and when they were added and last used; never
        # the secrets or recovery codes themselves.
        "two_factor_methods": [
            {
                "type": authenticator.type,
                "created_at": authenticator.created_at.isoformat(),
                "last_used_at": (
                    authenticator.last_used_at.isoformat() if authenticator.last_used_at else None
                ),
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }


def export_all(user):
    data = {
        "exported_at": timezone.now().isoformat(),
        "site": settings.WAGTAIL_SITE_NAME,
        "profile": profile_data(user),
    }
    for key, path in settings.LANTERN_DATA_EXPORTERS.items():
        data[key] = import_string(path)(user)
    return data


@transaction.atomic
def delete_account(user):
    """Run every app's eraser, then delete the account itself."""
    for path in settings.LANTERN_DATA_ERASERS:
        import_string(path)(user)
    user.delete()
