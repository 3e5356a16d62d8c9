"""All of the courses app's admin registration: each domain's admin module holds its viewsets;
this file registers them with Wagtail and nothing else."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from courses import audit
from courses.certificates import admin as certificate_admin
from courses.cohorts import admin as cohort_admin
from courses.content import admin as content_admin
from courses.delivery import admin as delivery_admin
from courses.learning import admin as learning_admin
from courses.learning import quiz_link

register_snippet(content_admin.CourseSettingsGroup)

hooks.register("after_create_page", content_admin.warn_about_wording)
hooks.register("after_edit_page", content_admin.warn_about_wording)

# Quizzes' unpublish confirmation lists the lessons that need the quiz (without blocking).
hooks.register("describe_quiz_dependants", quiz_link.lessons_requiring)
hooks.register("before_unpublish", quiz_link.warn_on_quiz_unpublish)


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return learning_admin.EnrolmentViewSet("enrolments")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_admin.CertificateViewSet("certificates")


@hooks.register("register_admin_viewset")
def register_outbound_email_viewset():
    return delivery_admin.OutboundEmailViewSet("outgoing_emails")


@hooks.register("register_log_actions")
def register_lantern_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return cohort_admin.OrganisationsGroup()
