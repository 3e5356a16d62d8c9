from django.urls import path

from . import certificate_views, cohort_views, manage_views, views

app_name = "courses"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("learning/", views.dashboard, name="dashboard"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path(
        "verify/<str:code>/status.json",
        certificate_views.certificate_status,
        name="certificate_status",
    ),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate"),
    path(
        "certificates/<str:code>/certificate.pdf",
        certificate_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/<str:code>/badge.json",
        certificate_views.certificate_badge,
        name="certificate_badge",
    ),
    path("learn/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("learn/courses/<int:course_id>/unenrol/", views.unenrol, name="unenrol"),
    path("learn/courses/<int:course_id>/recertify/", views.recertify, name="recertify"),
    path(
        "learn/lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"
    ),
    path(
        "learn/lessons/<int:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
    # Joining a cohort with its invitation link or code.
    path("join/", cohort_views.join_form, name="join_form"),
    path("join/<str:code>/", cohort_views.join, name="join"),
    # The manager area: partner organisations follow and manage their cohorts.
    path("manage/", manage_views.manage_home, name="manage"),
    path("manage/cohorts/<uuid:cohort_id>/", manage_views.cohort_report, name="cohort"),
    path(
        "manage/cohorts/<uuid:cohort_id>/export.csv",
        manage_views.cohort_export,
        name="cohort_export",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/remind/",
        manage_views.cohort_remind,
        name="cohort_remind",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/upload/",
        cohort_views.cohort_upload,
        name="cohort_upload",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/add/",
        cohort_views.member_add,
        name="cohort_member_add",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/<int:user_id>/remove/",
        cohort_views.member_remove,
        name="cohort_member_remove",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/invitations/<int:invitation_id>/cancel/",
        cohort_views.invitation_cancel,
        name="cohort_invitation_cancel",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/invite-link/",
        cohort_views.invite_link,
        name="cohort_invite_link",
    ),
]
