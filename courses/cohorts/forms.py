"""Forms for joining a cohort and for managers adding people to one."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.cohorts import csv_import
from courses.cohorts.services import normalise_invite_code


class JoinCodeForm(forms.Form):
    """Type the code from an invitation (the lookup itself happens in the view)."""

    code = forms.CharField(
        label=_("Invitation code"),
        help_text=_(
            "12 letters and numbers, for example ABCD-EFGH-JKMN. Capitals, spaces "
            "and dashes do not matter."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "maxlength": "64",
            }
        ),
    )

    def clean_code(self):
        code = normalise_invite_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(self.not_found_message())
        return code

    @staticmethod
    def not_found_message():
        # The same words for a mistyped, unknown, replaced or switched-off code.
        return gettext(
            "We could not find a cohort with that code. Check it against your invitation, "
            "or ask your organisation for a new link."
        )


class AddPersonForm(forms.Form):
    """A manager adds one person: a member now if they have an account, else invited."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=csv_import.EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=csv_import.NAME_MAX_LENGTH,
        required=False,
        help_text=_("Used to greet them in the invitation email."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class CohortUploadForm(forms.Form):
    """A CSV file of people. Cleaning parses it: `cleaned_data["parsed"]` is a ParsedFile."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One person per row, under a first row of headings: email,name. The name is "
            "optional. Up to 10,000 people and 2 MB per file."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is larger than %(mb)s MB. Split it into smaller files and "
                    "upload them one at a time."
                )
                % {"mb": csv_import.MAX_BYTES // (1024 * 1024)}
            )
        data = upload.read(csv_import.MAX_BYTES + 1)
        try:
            self.cleaned_data["parsed"] = csv_import.parse(data)
        except csv_import.CSVImportError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class UploadConfirmForm(forms.Form):
    """Confirm a previewed upload. The rows themselves stay on the server."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    valid_only = forms.BooleanField(
        required=False,
        label=_("Add the rows without problems and leave out the rows with problems"),
    )


class InviteLinkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("rotate", "rotate"), ("disable", "disable"), ("enable", "enable")]
    )
