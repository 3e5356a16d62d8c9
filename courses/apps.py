from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Register the permission policies and the lesson requirements; connect receivers."""
        from wagtail.permissions import register_permission_policy

        from courses import checks, signal_handlers  # noqa: F401 (checks register themselves)
        from courses.learning.completion import register_requirement
        from courses.learning.quiz_link import quiz_requirement
        from courses.models import (
            Certificate,
            CohortInvitation,
            CohortMembership,
            Enrolment,
            OutboundEmail,
        )
        from courses.permissions import (
            CertificatePermissionPolicy,
            OutboundEmailPermissionPolicy,
            ReadOnlyPermissionPolicy,
        )

        for model in (Enrolment, CohortMembership, CohortInvitation):
            register_permission_policy(model, ReadOnlyPermissionPolicy(model))
        register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))
        register_permission_policy(OutboundEmail, OutboundEmailPermissionPolicy(OutboundEmail))
        register_requirement(quiz_requirement)
        signal_handlers.connect()
