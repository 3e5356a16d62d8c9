"""Certificates in the Wagtail admin: find and inspect them, and revoke one with a reason.

Certificates are issued by completing a course, never created or edited by hand here. Staff
with the "change certificate" permission may revoke; the public check page shows it at once
and Wagtail's audit log keeps who revoked it, when and why."""

import django_filters
from django import forms
from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic.edit import FormView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permissions import policy_registry

from courses import audit
from courses.cohorts.reports import summary_cache
from courses.models import Certificate, CertificateStatus, CoursePage
from courses.signals import certificate_revoked
from quizzes import converters

converters.register()

REVOKE_ACTION = audit.CERTIFICATE_REVOKED
REASON_MAX_LENGTH = 2000


def status_filter(queryset, status, now=None):
    """Certificates with the given status(), as a database filter."""
    return queryset.filter_status(status, now)


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=CertificateStatus.choices,
        method="filter_status",
        empty_label=gettext_lazy("Any"),
    )
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by(
            "title"
        ),
        label=gettext_lazy("Course"),
    )
    issued_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Certificate
        fields = ["status", "course", "issued_at"]

    def filter_status(self, queryset, name, value):
        return status_filter(queryset, value)


def day(value):
    return date_format(timezone.localtime(value), "j M Y") if value else ""


class CertificateIndexView(generic.IndexView):
    revoke_url_name = None
    restore_url_name = None
    history_url_name = None

    @cached_property
    def columns(self):
        now = timezone.now()
        code_column = self._get_title_column_class(TitleColumn)(
            "code",
            label=gettext_lazy("Code"),
            accessor="display_code",
            sort_key="code",
            get_url=self.get_inspect_url,
        )
        return [
            code_column,
            Column(
                "name_on_certificate",
                label=gettext_lazy("Name on certificate"),
                sort_key="name_on_certificate",
            ),
            Column("course_title", label=gettext_lazy("Course"), sort_key="course_title"),
            Column(
                "issued_at",
                label=gettext_lazy("Issued"),
                accessor=lambda c: day(c.issued_at),
                sort_key="issued_at",
            ),
            Column(
                "expires_at",
                label=gettext_lazy("Expires"),
                accessor=lambda c: day(c.expires_at) or _("Does not expire"),
                sort_key="expires_at",
            ),
            StatusTagColumn(
                "status",
                label=gettext_lazy("Status"),
                accessor=lambda c: c.status(now).label,
                primary=lambda c: (
                    c.status(now) in {CertificateStatus.VALID, CertificateStatus.EXPIRING}
                ),
            ),
        ]

    def search_queryset(self, queryset):
        """Search the text fields, and the code however it was typed (dashes, spaces, case)."""
        if not self.is_searching:
            return queryset
        query = Q()
        for field in self.search_fields or []:
            query |= Q(**{f"{field}__icontains": self.search_query})
        compact = "".join(ch for ch in self.search_query.upper() if ch.isalnum())
        if compact:
            query |= Q(code__contains=compact)
        return queryset.filter(query)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("revoke"):
            revoked = instance.revoked_at is not None
            url_name = self.restore_url_name if revoked else self.revoke_url_name
            buttons.append(
                MenuItem(
                    _("Restore") if revoked else _("Revoke"),
                    url=reverse(url_name, args=(quote(instance.pk),)),
                    icon_name="undo" if revoked else "circle-xmark",
                    priority=40,
                )
            )
        buttons.append(
            MenuItem(
                _("History"),
                url=reverse(self.history_url_name, args=(quote(instance.pk),)),
                icon_name="history",
                priority=50,
            )
        )
        return buttons


class CertificateInspectView(generic.InspectView):
    revoke_url_name = None
    restore_url_name = None
    history_url_name = None

    def get_field_label(self, field_name, field):
        if field_name == "user":
            return _("Account")
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_code_display_value(self):
        return self.object.display_code

    def get_status_display_value(self):
        return self.object.status().label

    def get_user_display_value(self):
        user = self.object.user
        return user.email if user else _("Deleted (the name was removed with the account)")

    @cached_property
    def header_buttons(self):
        if not self.user_has_permission("revoke"):
            return []
        if self.object.revoked_at is None:
            url = reverse(self.revoke_url_name, args=(quote(self.object.pk),))
            return [HeaderButton(_("Revoke"), url=url, icon_name="circle-xmark")]
        url = reverse(self.restore_url_name, args=(quote(self.object.pk),))
        return [HeaderButton(_("Restore"), url=url, icon_name="undo")]

    @cached_property
    def header_more_buttons(self):
        url = reverse(self.history_url_name, args=(quote(self.object.pk),))
        return [*super().header_more_buttons, Button(_("History"), url=url, icon_name="history")]


class CertificateHistoryView(HistoryView):
    """The object's audit log, for anyone who may view certificates (there is no edit view)."""

    any_permission_required = ["view", "revoke"]
    inspect_url_name = None
    header_buttons = []

    def get_edit_url(self, instance):
        # Breadcrumbs link the certificate itself: its inspect page.
        if self.inspect_url_name:
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Required. Kept with the certificate and in the audit log for staff; the public "
            "check page shows only that it was revoked and when."
        ),
    )


class CertificateRevokeView(
    PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, FormView
):
    """GET asks for a reason; POST revokes at once (atomically, once) and logs it."""

    model = Certificate
    permission_required = "revoke"
    restore_url_name = None
    form_class = RevokeForm
    template_name = "courses/admin/certificate_revoke.html"
    page_title = gettext_lazy("Revoke certificate")
    header_icon = "circle-xmark"
    index_url_name = None
    inspect_url_name = None
    history_url_name = None

    def get_page_subtitle(self):
        return self.object.display_code

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Certificate._meta.verbose_name_plural),
            },
            {"url": self.inspect_url, "label": str(self.object)},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    @cached_property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=(quote(self.object.pk),))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            status_label=self.object.status().label,
            inspect_url=self.inspect_url,
            action_url=self.request.path,
        )
        return context

    def already_revoked(self, status=200):
        self.object.refresh_from_db()
        context = self.get_context_data(already_revoked=True)
        context.pop("form", None)
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        if self.object.revoked_at:
            return self.already_revoked()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object.revoked_at:
            return self.already_revoked(status=409)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        now = timezone.now()
        with transaction.atomic():
            revoked = Certificate.objects.filter(pk=self.object.pk, revoked_at__isnull=True).update(
                revoked_at=now, revoked_reason=reason
            )
            if revoked:
                summary_cache.forget_courses([self.object.course_id])
                self.object.revoked_at, self.object.revoked_reason = now, reason
                audit.record(self.object, REVOKE_ACTION, self.request.user, reason=reason)
                certificate = self.object
                transaction.on_commit(
                    lambda: certificate_revoked.send(sender=Certificate, certificate=certificate)
                )
        if not revoked:  # revoked by someone else since the form was shown
            return self.already_revoked(status=409)
        messages.success(
            self.request,
            _("Certificate %(code)s is revoked. Its public check page now says so.")
            % {"code": self.object.display_code},
        )
        return redirect(self.inspect_url)


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for restoring"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Required. Kept in the audit log with the reason it was revoked; the public check "
            "page shows the certificate as valid again at once."
        ),
    )


class CertificateRestoreView(CertificateRevokeView):
    """Undo a revocation made in error: GET asks for a reason; POST restores (atomically,
    once) and logs both the reason and the revocation it undid."""

    form_class = RestoreForm
    template_name = "courses/admin/certificate_restore.html"
    page_title = gettext_lazy("Restore certificate")
    header_icon = "undo"

    def not_revoked(self, status=200):
        self.object.refresh_from_db()
        context = self.get_context_data(not_revoked=True)
        context.pop("form", None)
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        if self.object.revoked_at is None:
            return self.not_revoked()
        return FormView.get(self, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.object.revoked_at is None:
            return self.not_revoked(status=409)
        return FormView.post(self, request, *args, **kwargs)

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        revoked_at, revoked_reason = self.object.revoked_at, self.object.revoked_reason
        with transaction.atomic():
            restored = Certificate.objects.filter(pk=self.object.pk, revoked_at=revoked_at).update(
                revoked_at=None, revoked_reason=""
            )
            if restored:
                summary_cache.forget_courses([self.object.course_id])
                self.object.revoked_at, self.object.revoked_reason = None, ""
                audit.record(
                    self.object,
                    audit.CERTIFICATE_RESTORED,
                    self.request.user,
                    reason=reason,
                    revoked_at=revoked_at.isoformat(),
                    revoked_reason=revoked_reason,
                )
        if not restored:  # restored or revoked again by someone else meanwhile
            return self.not_revoked(status=409)
        messages.success(
            self.request,
            _("Certificate %(code)s is restored. Its public check page shows it as valid again.")
            % {"code": self.object.display_code},
        )
        return redirect(self.inspect_url)


class CertificateAdminURLFinder(ModelAdminURLFinder):
    """Links to a certificate (e.g. from Site history) open its inspect page."""

    inspect_url_name = None

    def construct_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=(quote(instance.pk),))

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and policy and not policy.user_has_permission(self.user, "view"):
            return None
        return self.construct_edit_url(instance)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    pk_path_converter = "id"  # a 404 for ids beyond 64 bits
    icon = "tick-inverse"
    menu_label = gettext_lazy("Certificates")
    menu_order = 315
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView
    revoke_view_class = CertificateRevokeView
    restore_view_class = CertificateRestoreView
    filterset_class = CertificateFilterSet
    search_fields = ["code", "name_on_certificate", "course_title", "user__email"]
    search_backend_name = None
    ordering = ["-issued_at"]
    list_per_page = 50
    inspect_view_fields = [
        "code",
        "status",
        "name_on_certificate",
        "user",
        "course_title",
        "course_version",
        "issued_at",
        "expires_at",
        "reminded_at",
        "revoked_at",
        "revoked_reason",
    ]
    form_fields = []  # never shown: the permission policy allows no add or edit

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            revoke_url_name=self.get_url_name("revoke"),
            restore_url_name=self.get_url_name("restore"),
            **kwargs,
        )

    @property
    def revoke_view(self):
        return self.construct_view(self.revoke_view_class)

    @property
    def restore_view(self):
        return self.construct_view(self.restore_view_class)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"revoke/<{self.pk_path_converter}:pk>/", self.revoke_view, name="revoke"),
            path(f"restore/<{self.pk_path_converter}:pk>/", self.restore_view, name="restore"),
        ]

    @property
    def url_finder_class(self):
        return type(
            "_CertificateAdminURLFinder",
            (CertificateAdminURLFinder,),
            {"inspect_url_name": self.get_url_name("inspect")},
        )

    def get_permissions_to_register(self):
        """Only "view" and "change" (which allows revoking) mean anything for certificates."""
        content_type = ContentType.objects.get_for_model(Certificate)
        codenames = [get_permission_codename(a, Certificate._meta) for a in ("view", "change")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)
