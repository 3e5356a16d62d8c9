from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from .admin_views import ReadOnlyPermissionPolicy
        from .models import Enrolment

        register_permission_policy(Enrolment, ReadOnlyPermissionPolicy(Enrolment))
