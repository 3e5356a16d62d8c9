"""Read-only admin listings of learner records (enrolments)."""

import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from courses.admin_base import ReadOnlyModelViewSet
from courses.models import CoursePage, Enrolment, EnrolmentStatus


class EnrolmentFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by(
            "title"
        ),
        label=_("Course"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=EnrolmentStatus.choices,
        method="filter_status",
        empty_label=_("Any"),
    )
    enrolled_at = django_filters.DateFromToRangeFilter(
        label=_("Enrolled"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Enrolment
        fields = ["course", "status", "enrolled_at"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status().filter(current_status=value)


class EnrolmentViewSet(ReadOnlyModelViewSet):
    """Learners' enrolments and progress, for staff who may view them."""

    model = Enrolment
    icon = "user"
    menu_label = _("Enrolments")
    menu_order = 310
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "user",
        "course",
        "cycle",
        "progress_percent",
        "enrolled_at",
        "completed_at",
        "due_at",
    ]
    filterset_class = EnrolmentFilterSet
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering = ["-enrolled_at"]
    inspect_view_fields = [
        "user",
        "course",
        "cycle",
        "enrolled_at",
        "unenrolled_at",
        "completed_at",
        "due_at",
        "lessons_completed",
        "lessons_total",
        "progress_percent",
        "last_activity_at",
    ]
    form_fields = ["due_at"]  # never shown: the permission policy allows viewing only
    select_related = ["user", "course"]
