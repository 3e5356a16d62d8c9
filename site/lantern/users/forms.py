from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User, is_email_address


class SignupDetailsForm(forms.Form):
    """The names asked for at sign-up, beside allauth's email and password fields."""

    first_name = forms.CharField(
        label=_("Given name(s)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    name_on_certificate = forms.CharField(
        label=_("Name on certificate"),
        max_length=200,
        required=False,
        help_text=_("Your name as it should appear on certificates. Leave blank to use your name."),
    )

    def clean_name_on_certificate(self):
        name = " ".join(self.cleaned_data["name_on_certificate"].split())
        if is_email_address(name):
            raise forms.ValidationError(
                _("Enter your name, not an email address: certificates show this name."),
                code="email",
            )
        return name

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.name_on_certificate = self.cleaned_data["name_on_certificate"].strip()
        user.save(update_fields=["first_name", "last_name", "name_on_certificate"])


class ProfileForm(forms.ModelForm):
    """What a learner can change about themselves."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "name_on_certificate"]
        labels = {"first_name": _("Given name(s)"), "last_name": _("Family name")}

    def clean_name_on_certificate(self):
        name = " ".join(self.cleaned_data["name_on_certificate"].split())
        if is_email_address(name):
            raise forms.ValidationError(
                _("Enter your name, not an email address: certificates show this name."),
                code="email",
            )
        return name


class DeleteAccountForm(forms.Form):
    """Deleting an account needs the current password."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my progress, answers and account will be deleted."),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not correct."), code="bad_password")
        return password
