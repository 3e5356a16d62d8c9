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

        from .certificate_admin import CertificatePermissionPolicy
        from .models import Certificate

        register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))

        from .cohort_admin import register_read_only_policies

        register_read_only_policies()

        from quizzes.signals import attempt_submitted

        from .completion import register_requirement
        from .quiz_link import complete_lessons_on_pass, quiz_requirement

        register_requirement(quiz_requirement)

        from .certificates import on_course_completed
        from .signals import course_completed

        course_completed.connect(on_course_completed, dispatch_uid="courses_issue_certificate")
        attempt_submitted.connect(complete_lessons_on_pass, dispatch_uid="courses_quiz_pass")

        from django.conf import settings
        from django.db.models.signals import m2m_changed, post_save

        from .cohorts import accept_invitations_on_signup
        from .manage_views import forget_can_manage
        from .models import Organisation

        m2m_changed.connect(
            forget_can_manage,
            sender=Organisation.managers.through,
            dispatch_uid="courses_forget_can_manage",
        )

        post_save.connect(
            accept_invitations_on_signup,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="courses_accept_invitations",
        )
