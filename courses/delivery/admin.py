"""Outgoing emails in the Wagtail admin: staff see what is waiting, what went and what could
not be delivered (and why), and may try one again at once. Nothing is edited here."""

import django_filters
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet

from courses import audit
from courses.delivery import services
from courses.models import DeliveryStatus, OutboundEmail


class OutboundEmailFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, label=gettext_lazy("Status")
    )

    class Meta:
        model = OutboundEmail
        fields = ["status"]


class OutboundEmailIndexView(generic.IndexView):
    retry_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status != DeliveryStatus.SENT and self.user_has_permission("retry"):
            buttons.append(
                MenuItem(
                    _("Retry now"),
                    url=reverse(self.retry_url_name, args=(quote(instance.pk),)),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return buttons


class OutboundEmailRetryView(
    PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView
):
    """GET asks for confirmation; POST makes the email due now and starts a delivery run.
    An email already sent is never sent again."""

    model = OutboundEmail
    permission_required = "retry"
    template_name = "courses/admin/outbound_email_retry.html"
    page_title = gettext_lazy("Retry email")
    header_icon = "mail"
    index_url_name = None

    def get_page_subtitle(self):
        return self.object.key

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(OutboundEmail._meta.verbose_name_plural),
            },
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, action_url=self.request.path, **kwargs)

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            retried = services.retry(self.object)
            if retried:
                audit.record(
                    self.object,
                    audit.EMAIL_RETRIED,
                    request.user,
                    key=self.object.key,
                    to=self.object.to,
                )
                services.deliver_soon()
        if retried:
            messages.success(
                request, _("The email to %(to)s will be tried now.") % {"to": self.object.to}
            )
        else:
            messages.warning(
                request,
                _("The email to %(to)s was not retried: it was sent, or is being sent now.")
                % {"to": self.object.to},
            )
        return redirect(self.index_url_name)


class OutboundEmailViewSet(ModelViewSet):
    model = OutboundEmail
    pk_path_converter = "id"
    icon = "mail"
    menu_label = gettext_lazy("Outgoing emails")
    menu_order = 330
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = OutboundEmailIndexView
    retry_view_class = OutboundEmailRetryView
    filterset_class = OutboundEmailFilterSet
    list_display = ["key", "to", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = None
    search_fields = ["key", "to"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_per_page = 50
    inspect_view_fields = [
        "key",
        "to",
        "subject",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "body",
    ]
    form_fields = []  # never shown: the permission policy allows no add or edit

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    @property
    def retry_view(self):
        return self.construct_view(self.retry_view_class)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"retry/<{self.pk_path_converter}:pk>/", self.retry_view, name="retry"),
        ]

    def get_permissions_to_register(self):
        """Only "view" and "change" (which allows retrying) mean anything here."""
        content_type = ContentType.objects.get_for_model(OutboundEmail)
        codenames = [get_permission_codename(a, OutboundEmail._meta) for a in ("view", "change")]
        return Permission.objects.filter(content_type=content_type, codename__in=codenames)
