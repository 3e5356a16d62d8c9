"""The login and sign-up forms, built on allauth's. Kept apart from forms.py, which allauth
imports while building its own sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(allauth_forms.LoginForm):
    """allauth's login, with "This is a shared device" in place of "Remember me": on a
    shared device the session ends when the browser closes."""

    shared_device = forms.BooleanField(
        label=_("This is a shared device (log me out when the browser closes)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("remember", None)
        self.fields["login"].label = _("Email address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean(self):
        cleaned = super().clean()
        cleaned["remember"] = not cleaned.get("shared_device")
        return cleaned


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up with the site's labels and field order, and no placeholders
    (labels stay visible, as GOV.UK advises)."""

    field_order = [
        "email",
        "first_name",
        "last_name",
        "name_on_certificate",
        "password1",
        "password2",
    ]
    labels = {
        "email": _("Email address"),
        "password1": _("Password"),
        "password2": _("Confirm password"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.order_fields(self.field_order)
