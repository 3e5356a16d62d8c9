"""The quiz editor's form: checks the blueprint against the questions being saved."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from . import blueprints


def kept_forms(formset):
    """The formset's filled-in forms that are not marked for deletion."""
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class QuizAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned_data = super().clean()
        rows_formset = self.formsets.get("blueprint")
        questions_formset = self.formsets.get("questions")
        if rows_formset is None or questions_formset is None:
            return cleaned_data
        if not (rows_formset.is_valid() and questions_formset.is_valid()):
            return cleaned_data
        row_forms = kept_forms(rows_formset)
        rows = [(form.cleaned_data["tag"], form.cleaned_data["count"]) for form in row_forms]
        tag_lists = [
            blueprints.split_tags(form.cleaned_data.get("tags", ""))
            for form in kept_forms(questions_formset)
        ]
        problems = blueprints.errors(rows, tag_lists, cleaned_data.get("questions_to_draw") or 0)
        for index, message in problems:
            if index is None:
                self.add_error("questions_to_draw", message)
            else:
                row_forms[index].add_error("count", message)
        if any(index is not None for index, _message in problems):
            raise ValidationError([m for i, m in problems if i is not None])
        return cleaned_data
