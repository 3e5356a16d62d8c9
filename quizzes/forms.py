"""The learner's answers, read through a form built from the attempt as shown.

`AttemptForm` has one typed field per question of the attempt's snapshot, whose choices are the
ids of that question's choices as shown. So a tampered id, a choice from another question, a
non-integer, a repeated value, several answers to a single-answer question, or a question the
attempt does not have is a form error, never a guess. The attempt template renders the
questions itself from the snapshot; field names are `q<question id>`, values choice ids.
"""

from django import forms
from django.utils.translation import gettext as _

from quizzes.models import QuestionKind


def field_name(question_id):
    return f"q{question_id}"


class AnswerField(forms.TypedMultipleChoiceField):
    """The chosen choice ids of one question, as ints (an empty list when left blank). Reads
    every value sent, so two answers to a single-answer question are seen, not cut to one."""

    def __init__(self, *, question, position, **kwargs):
        self.single = question["kind"] != QuestionKind.MULTIPLE
        self.position = position
        invalid = _("Question %(n)s: that answer is not valid.") % {"n": position}
        super().__init__(
            choices=[(choice["id"], choice["id"]) for choice in question["choices"]],
            coerce=int,
            required=False,
            error_messages={"invalid_choice": invalid, "invalid_list": invalid},
            **kwargs,
        )

    def clean(self, value):
        chosen = super().clean(value)
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(self.error_messages["invalid_choice"])
        if self.single and len(chosen) > 1:
            raise forms.ValidationError(
                _("Question %(n)s: choose one answer.") % {"n": self.position}
            )
        return chosen


class AttemptForm(forms.Form):
    """One `AnswerField` per question of the attempt, in the order shown."""

    def __init__(self, attempt, data=None):
        super().__init__(data)
        self.attempt = attempt
        for position, question in enumerate(attempt.snapshot, start=1):
            self.fields[field_name(question["id"])] = AnswerField(
                question=question, position=position
            )

    def clean(self):
        cleaned = super().clean()
        unknown = [
            key for key in (self.data or {}) if key.startswith("q") and key not in self.fields
        ]
        if unknown:
            raise forms.ValidationError(
                _("The form did not match this attempt. Please reload the page.")
            )
        return cleaned

    def answers(self):
        """{question id: [choice ids]} for the questions answered (valid data only)."""
        answers = {}
        for question in self.attempt.snapshot:
            chosen = self.cleaned_data.get(field_name(question["id"]))
            if chosen:
                answers[question["id"]] = chosen
        return answers

    def answer_errors(self):
        """{question id or "__all__": message}, as the attempt template shows them."""
        errors = {}
        if self.non_field_errors():
            errors["__all__"] = self.non_field_errors()[0]
        for question in self.attempt.snapshot:
            field_errors = self.errors.get(field_name(question["id"]))
            if field_errors:
                errors[question["id"]] = field_errors[0]
        return errors


def read_answers(attempt, data):
    """(answers, errors) from POST data: the valid answers, and every error by question."""
    form = AttemptForm(attempt, data)
    if form.is_valid():
        return form.answers(), {}
    valid = {
        question["id"]: form.cleaned_data[field_name(question["id"])]
        for question in attempt.snapshot
        if form.cleaned_data.get(field_name(question["id"]))
    }
    return valid, form.answer_errors()
