"""Wagtail admin for staff: organisations (with their managers), cohorts, and read-only lists
of memberships and pending invitations. Managers themselves work in the front-end manager
area, not here."""

import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import BooleanRadioSelect

from courses import audit
from courses.admin_base import QuerySetIndexView, QuerySetViewSetMixin, ReadOnlyModelViewSet
from courses.cohorts.forms import DueDateFormMixin
from courses.cohorts.services import apply_due_dates, enrol_members, seats_taken
from courses.content.locales import default_locale_id
from courses.models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    CoursePage,
    Organisation,
    OrganisationKind,
)

MAX_MANAGERS = 50


class OrganisationForm(WagtailAdminModelForm):
    """Managers are typed as email addresses of existing accounts: a select box of every
    account on the site would not scale and would show every learner's address."""

    manager_emails = forms.CharField(
        label=_("Managers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Email addresses of people with a Lantern account, one per line. They will see "
            "this organisation's cohorts and nothing else."
        ),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "contact_name",
            "contact_email",
            "xapi_endpoint",
            "xapi_username",
            "xapi_password",
            "xapi_send_email",
        ]
        widgets = {"xapi_password": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_xapi_password = self.instance.xapi_password if self.instance.pk else ""
        if self._saved_xapi_password:
            self.fields["xapi_password"].help_text = _(
                "Saved. Leave empty to keep it; type a new one to change it."
            )
        if self.instance.pk:
            self.initial["manager_emails"] = "\n".join(
                self.instance.managers.order_by("email").values_list("email", flat=True)
            )

    def clean_manager_emails(self):
        raw = self.cleaned_data.get("manager_emails") or ""
        emails = []
        for email in re.split(r"[\s,;]+", raw.strip().lower()):
            if email and email not in emails:
                emails.append(email)
        if len(emails) > MAX_MANAGERS:
            raise ValidationError(_("At most %(n)s managers.") % {"n": MAX_MANAGERS})
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    _("%(email)s is not an email address.") % {"email": email}
                ) from None
        users = list(get_user_model().objects.filter(email__in=emails))
        missing = sorted(set(emails) - {user.email.lower() for user in users})
        if missing:
            raise ValidationError(
                _("No account uses %(emails)s. Ask them to sign up first.")
                % {"emails": ", ".join(missing)}
            )
        return users

    def clean_xapi_password(self):
        return self.cleaned_data.get("xapi_password") or self._saved_xapi_password

    def save(self, commit=True):
        organisation = super().save(commit=commit)
        if commit:
            before = set(organisation.managers.all())
            after = set(self.cleaned_data["manager_emails"])
            organisation.managers.set(after)
            record_manager_changes(organisation, before, after, self.for_user)
        return organisation


def record_manager_changes(organisation, before, after, user):
    """One audit-log entry per person who became, or stopped being, a manager."""
    for action, people in (
        (audit.MANAGER_ADDED, after - before),
        (audit.MANAGER_REMOVED, before - after),
    ):
        for person in sorted(people, key=lambda person: person.email):
            audit.record(organisation, action, user, user_id=person.pk, email=person.email)


class OrganisationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=OrganisationKind.choices, label=_("Kind"), empty_label=_("Any")
    )

    class Meta:
        model = Organisation
        fields = ["kind"]


class OrganisationViewSet(QuerySetViewSetMixin, ModelViewSet):
    name = "organisations"
    model = Organisation
    index_view_class = QuerySetIndexView
    icon = "group"
    menu_label = _("Organisations")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "kind", "contact_name", Column("cohort_count", label=_("Cohorts"))]
    list_filter = None
    filterset_class = OrganisationFilterSet
    search_fields = ["name", "contact_name", "contact_email"]
    search_backend_name = None
    ordering = ["name"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("kind"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_email")]),
            FieldPanel("manager_emails"),
            MultiFieldPanel(
                [
                    FieldPanel("xapi_endpoint"),
                    FieldRowPanel([FieldPanel("xapi_username"), FieldPanel("xapi_password")]),
                    FieldPanel("xapi_send_email"),
                ],
                heading=_("Learning record store (optional)"),
            ),
        ],
        base_form_class=OrganisationForm,
    )
    inspect_view_fields = ["name", "kind", "contact_name", "contact_email", "created_at"]

    def get_queryset(self, request):
        from django.db.models import Count

        return Organisation.objects.annotate(cohort_count=Count("cohorts"))


class CohortForm(DueDateFormMixin, WagtailAdminModelForm):
    """Checks the seat limit against who is already in, and keeps members' enrolments in
    step with the cohort's courses and due date."""

    class Meta:
        model = Cohort
        fields = [
            "organisation",
            "name",
            "courses",
            "jurisdiction",
            "starts_on",
            "due_on",
            "due_within_days",
            "seat_limit",
            "is_active",
            "invite_enabled",
        ]
        widgets = {"courses": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Cohorts follow the source courses; learners read them in any language.
        self.fields["courses"].queryset = CoursePage.objects.filter(
            locale_id=default_locale_id()
        ).order_by("title")

    def clean(self):
        cleaned = super().clean()
        limit = cleaned.get("seat_limit")
        if self.instance.pk and limit is not None:
            taken = seats_taken(self.instance)
            if limit < taken:
                self.add_error(
                    "seat_limit",
                    _("%(taken)s places are already taken (members and pending invitations).")
                    % {"taken": taken},
                )
        starts, due = cleaned.get("starts_on"), cleaned.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("The due date must be on or after the start date."))
        self.clean_due_date(cleaned)
        return cleaned

    def save(self, commit=True):
        cohort = super().save(commit=commit)
        if commit:
            transaction.on_commit(lambda: apply_cohort_changes(cohort.pk))
        return cohort


def apply_cohort_changes(cohort_id):
    """After staff edit a cohort: members are enrolled in any added course, and unfinished
    enrolments that the cohort set take its new due date."""
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None:
        return
    with transaction.atomic():
        members = get_user_model().objects.filter(cohort_memberships__cohort=cohort).only("pk")
        enrol_members(cohort, members)
        apply_due_dates(cohort)


class CohortFilterSet(WagtailFilterSet):
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.order_by("name"), label=_("Organisation")
    )
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=BooleanRadioSelect)

    class Meta:
        model = Cohort
        fields = ["organisation", "is_active"]


class ReportColumn(Column):
    """A link from the admin listing to the cohort's front-end progress report."""

    cell_template_name = "courses/admin/cohort_report_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["report_url"] = reverse("courses:cohort", args=[instance.public_id])
        return context


class CohortViewSet(QuerySetViewSetMixin, ModelViewSet):
    name = "cohorts"
    model = Cohort
    index_view_class = QuerySetIndexView
    icon = "group"
    menu_label = _("Cohorts")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "name",
        "organisation",
        "due_on",
        Column("member_count", label=_("Members")),
        "seat_limit",
        "is_active",
        ReportColumn("report", label=_("Progress")),
    ]
    filterset_class = CohortFilterSet
    search_fields = ["name", "organisation__name"]
    search_backend_name = None
    ordering = ["organisation__name", "name"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("organisation"),
            FieldPanel("name"),
            FieldPanel("courses"),
            FieldPanel("jurisdiction"),
            FieldPanel("starts_on"),
            MultiFieldPanel(
                [
                    FieldPanel("due_on"),
                    FieldPanel("due_within_days"),
                    FieldPanel("confirm_past_due"),
                ],
                heading=_("Due date: a fixed date or within N days of joining"),
            ),
            FieldPanel("seat_limit"),
            MultiFieldPanel(
                [FieldPanel("is_active"), FieldPanel("invite_enabled")],
                heading=_("Joining"),
            ),
        ],
        base_form_class=CohortForm,
    )
    inspect_view_fields = [
        "organisation",
        "name",
        "courses",
        "jurisdiction",
        "starts_on",
        "due_on",
        "due_within_days",
        "seat_limit",
        "is_active",
        "invite_enabled",
        "created_at",
    ]

    def get_queryset(self, request):
        from django.db.models import Count

        return Cohort.objects.select_related("organisation").annotate(
            member_count=Count("memberships", distinct=True)
        )


class MembershipFilterSet(WagtailFilterSet):
    cohort__organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.order_by("name"), label=_("Organisation")
    )
    cohort = django_filters.ModelChoiceFilter(
        queryset=Cohort.objects.select_related("organisation"), label=_("Cohort")
    )

    class Meta:
        model = CohortMembership
        fields = ["cohort__organisation", "cohort", "source"]


class MembershipViewSet(ReadOnlyModelViewSet):
    """Who is in which cohort. Managers add and remove people in the manager area."""

    name = "cohort_members"
    model = CohortMembership
    icon = "user"
    menu_label = _("Cohort members")
    list_display = ["user", "cohort", "source", "joined_at"]
    filterset_class = MembershipFilterSet
    search_fields = ["user__email", "user__first_name", "user__last_name", "cohort__name"]
    ordering = ["-joined_at"]
    form_fields = ["cohort"]  # never shown: the permission policy allows viewing only
    select_related = ["user", "cohort__organisation"]


class InvitationFilterSet(WagtailFilterSet):
    cohort = django_filters.ModelChoiceFilter(
        queryset=Cohort.objects.select_related("organisation"), label=_("Cohort")
    )

    class Meta:
        model = CohortInvitation
        fields = ["cohort"]


class InvitationViewSet(ReadOnlyModelViewSet):
    """Invitations waiting for the person to create an account."""

    name = "cohort_invitations"
    model = CohortInvitation
    icon = "mail"
    menu_label = _("Pending invitations")
    list_display = ["email", "name", "cohort", "created_at", "sent_at"]
    filterset_class = InvitationFilterSet
    search_fields = ["email", "name", "cohort__name"]
    ordering = ["-created_at"]
    form_fields = ["email"]  # never shown: the permission policy allows viewing only
    select_related = ["cohort__organisation"]


class OrganisationsGroup(ModelViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 320
    items = (OrganisationViewSet, CohortViewSet, MembershipViewSet, InvitationViewSet)
