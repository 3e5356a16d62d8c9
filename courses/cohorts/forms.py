"""Forms for joining a cohort and for managers adding people to one."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.cohorts import csv_import
from courses.cohorts.services import normalise_invite_code
from courses.models import Cohort, Jurisdiction
from courses.models.cohorts import MAX_DUE_WITHIN_DAYS


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


class DueDateFormMixin(forms.Form):
    """A cohort's due date is fixed (a date) or relative (within N days of joining), not
    both; a fixed date in the past needs an explicit confirmation."""

    confirm_past_due = forms.BooleanField(
        required=False,
        label=_("Yes, save this past due date"),
        help_text=_(
            "The due date has passed: people who join now are overdue at once. Tick to "
            "save it anyway, or choose a relative due date instead."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.saved_due_on = instance.due_on if instance is not None and instance.pk else None
        self.past_due = bool(self.saved_due_on and self.saved_due_on < timezone.localdate())

    def clean_due_date(self, cleaned):
        """Check the due date fields together; adds errors to the form."""
        due_on, within = cleaned.get("due_on"), cleaned.get("due_within_days")
        if due_on and within is not None:
            self.add_error(
                "due_within_days",
                gettext("Choose either a fixed due date or a number of days, not both."),
            )
        if within is not None and not 1 <= within <= MAX_DUE_WITHIN_DAYS:
            self.add_error(
                "due_within_days",
                gettext("Enter a number of days from 1 to %(max)s.") % {"max": MAX_DUE_WITHIN_DAYS},
            )
        self.past_due = bool(due_on and due_on < timezone.localdate())
        unchanged = due_on == self.saved_due_on  # an existing past date may stay as it is
        if self.past_due and not unchanged and not cleaned.get("confirm_past_due"):
            self.add_error(
                "confirm_past_due",
                gettext(
                    "The due date %(date)s has passed: people who join now are overdue at "
                    "once. Tick the box to save it anyway, or choose a later date or a "
                    "relative due date."
                )
                % {"date": date_format(due_on, "j F Y")},
            )
        return cleaned


class CohortDueDateForm(DueDateFormMixin, forms.ModelForm):
    """A manager sets the cohort's due date: none, a fixed date, or within N days of joining."""

    NONE, FIXED, RELATIVE = "none", "fixed", "relative"

    due_kind = forms.ChoiceField(
        label=_("Due date"),
        choices=[
            (NONE, _("No due date")),
            (FIXED, _("A fixed date for everyone")),
            (RELATIVE, _("Within a number of days of joining")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "With a relative due date, each person's date counts from the day they join or "
            "accept their invitation, so new joiners are never overdue at once."
        ),
    )

    field_order = ["due_kind", "due_on", "due_within_days", "confirm_past_due"]

    class Meta:
        model = Cohort
        fields = ["due_on", "due_within_days"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "due_within_days": forms.NumberInput(attrs={"min": 1, "max": MAX_DUE_WITHIN_DAYS}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cohort = self.instance
        if cohort.due_within_days is not None:
            self.initial.setdefault("due_kind", self.RELATIVE)
        elif cohort.due_on is not None:
            self.initial.setdefault("due_kind", self.FIXED)
        else:
            self.initial.setdefault("due_kind", self.NONE)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("due_kind")
        if kind == self.FIXED:
            cleaned["due_within_days"] = None
            if not cleaned.get("due_on"):
                self.add_error("due_on", gettext("Enter the due date."))
        elif kind == self.RELATIVE:
            cleaned["due_on"] = None
            if cleaned.get("due_within_days") is None and "due_within_days" not in self.errors:
                self.add_error("due_within_days", gettext("Enter a number of days."))
        else:
            cleaned["due_on"] = cleaned["due_within_days"] = None
        starts = self.instance.starts_on
        if cleaned.get("due_on") and starts and cleaned["due_on"] < starts:
            self.add_error("due_on", gettext("The due date must be on or after the start date."))
        self.clean_due_date(cleaned)
        return cleaned


class CohortJurisdictionForm(forms.ModelForm):
    """A manager says where the cohort's members work: members who join start with it (each
    can change their own). Offered: the jurisdictions of the cohort's courses."""

    class Meta:
        model = Cohort
        fields = ["jurisdiction"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        field.queryset = offered_jurisdictions(self.instance)
        field.empty_label = gettext("International / general")
        field.label = _("Where members work")


def offered_jurisdictions(cohort):
    """The jurisdictions any of the cohort's courses offers (all of them for a new cohort)."""
    jurisdictions = (
        Jurisdiction.objects.sources().exclude(code="general").order_by("sort_order", "name")
    )
    if cohort.pk:
        jurisdictions = jurisdictions.filter(courses__cohorts=cohort).distinct()
    return jurisdictions
