"""Security headers: the Content Security Policy (django-csp) and a Permissions-Policy.

The front end runs under a strict policy (settings ``CONTENT_SECURITY_POLICY``: no inline
script or style anywhere). Wagtail's admin needs inline scripts and styles, so every URL
under the admin (including the page previews it shows in an iframe) gets
``LANTERN_ADMIN_CONTENT_SECURITY_POLICY`` instead. See docs/deploy.md.
"""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


class LanternCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's relaxed policy under the admin's URL."""

    @cached_property
    def admin_prefix(self):
        try:
            return reverse("wagtailadmin_home")
        except NoReverseMatch:  # a URLconf without the admin: everything is front end
            return None

    def is_admin(self, request):
        return self.admin_prefix is not None and request.path.startswith(self.admin_prefix)

    def process_response(self, request, response):
        # Wagtail renders previews (view draft, the editor's preview panel, revisions) by
        # sending a dummy request for the page's front-end URL through the middleware. Its
        # response is served by an admin view: the real, outer request sets the policy.
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        # A view's own @csp decorator (parts.config) still wins over the admin policy.
        if not report_only and parts.config is None and self.is_admin(request):
            admin_policy = settings.LANTERN_ADMIN_CONTENT_SECURITY_POLICY
            parts.config = default_config(admin_policy["DIRECTIVES"])
        return parts


def permissions_policy_value(features):
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in features.items())


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header to every response (``LANTERN_PERMISSIONS_POLICY``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy_value(settings.LANTERN_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = self.value
        return response
