"""Read-only admin listings of learner records (enrolments)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from .models import CoursePage, Enrolment


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Only "view" can ever be granted: learner records change through the site, not here."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions, **kwargs):
        if "view" not in actions:
            return super().users_with_any_permission([], **kwargs)
        return super().users_with_any_permission(["view"], **kwargs)


class QuerySetIndexView(generic.IndexView):
    """An index view whose base queryset comes from its viewset's ``get_queryset(request)``
    (annotations, select_related), which Wagtail 8's ModelViewSet does not call itself."""

    viewset_queryset = None

    def get_base_queryset(self):
        if self.viewset_queryset is not None:
            return self.viewset_queryset(self.request)
        return super().get_base_queryset()


class QuerySetViewSetMixin:
    """Use ``get_queryset(request)`` for the listing."""

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(viewset_queryset=self.get_queryset, **kwargs)


class EnrolmentFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.order_by("title"), label=_("Course")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("completed", _("Completed")),
            ("in_progress", _("In progress")),
            ("not_started", _("Not started")),
            ("left", _("Left the course")),
        ],
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
        if value == "completed":
            return queryset.filter(completed_at__isnull=False)
        if value == "in_progress":
            return queryset.filter(completed_at__isnull=True, lessons_completed__gt=0)
        if value == "not_started":
            return queryset.filter(lessons_completed=0, unenrolled_at__isnull=True)
        if value == "left":
            return queryset.filter(unenrolled_at__isnull=False)
        return queryset


class EnrolmentViewSet(QuerySetViewSetMixin, ModelViewSet):
    model = Enrolment
    index_view_class = QuerySetIndexView
    icon = "user"
    menu_label = _("Enrolments")
    menu_order = 310
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
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
    search_backend_name = None
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
    list_per_page = 50
    form_fields = ["due_at"]  # never shown: the permission policy allows viewing only

    def get_queryset(self, request):
        return Enrolment.objects.select_related("user", "course")
