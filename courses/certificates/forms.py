"""The learner's name on certificate, asked for when they have earned a certificate but have
given no name (a certificate never carries an email address)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from courses.content.sanitize import TooLong, plain_text

NAME_MAX_LENGTH = 200


class CertificateNameForm(forms.Form):
    """A name as it should be printed: plain text, not blank, at most 200 characters, and not
    an email address."""

    name_on_certificate = forms.CharField(
        label=_("Your name as it should appear on your certificates"),
        strip=False,  # normalised, then measured, in clean_name_on_certificate
        error_messages={"required": _("Enter the name to print on your certificates.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": NAME_MAX_LENGTH}),
        help_text=_(
            "Anyone who checks the certificate sees this name. You can change it for future "
            "certificates in your account."
        ),
    )

    def clean_name_on_certificate(self):
        try:
            name = plain_text(self.cleaned_data["name_on_certificate"], NAME_MAX_LENGTH)
        except TooLong:
            raise ValidationError(
                _("Keep the name under %(n)s characters.") % {"n": NAME_MAX_LENGTH},
                code="too_long",
            ) from None
        name = " ".join(name.split())  # one line: no newlines or runs of spaces
        if not name:
            raise ValidationError(_("Enter the name to print on your certificates."), "blank")
        try:
            validate_email(name)
        except ValidationError:
            return name
        raise ValidationError(
            _("Enter your name, not an email address: anyone who checks the certificate sees it."),
            code="email",
        )
