from django.urls import path

from courses.cohorts.views import invitations, join, log, manage, member_page, members, upload
from quizzes import converters

converters.register()  # <id:...>: database ids, a 404 beyond 64 bits

urlpatterns = [
    # Joining a cohort with its invitation link or code.
    path("join/", join.join_form, name="join_form"),
    path("join/<str:code>/", join.join, name="join"),
    # The learner's answers: invitations on My learning, and leaving a cohort.
    path(
        "learning/invitations/<id:invitation_id>/accept/",
        invitations.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "learning/invitations/<id:invitation_id>/decline/",
        invitations.invitation_decline,
        name="invitation_decline",
    ),
    path(
        "learning/cohorts/<uuid:cohort_id>/leave/",
        invitations.cohort_leave,
        name="cohort_leave",
    ),
    # The manager area: partner organisations follow and manage their cohorts.
    path("manage/", manage.manage_home, name="manage"),
    path(
        "manage/organisations/<uuid:organisation_id>/log/",
        log.organisation_log,
        name="organisation_log",
    ),
    path("manage/cohorts/<uuid:cohort_id>/", manage.cohort_report, name="cohort"),
    path("manage/cohorts/<uuid:cohort_id>/export.csv", manage.cohort_export, name="cohort_export"),
    path(
        "manage/cohorts/<uuid:cohort_id>/remind/", member_page.cohort_remind, name="cohort_remind"
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/due-date/", members.cohort_due_date, name="cohort_due_date"
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/where-members-work/",
        members.cohort_jurisdiction,
        name="cohort_jurisdiction",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/<id:user_id>/",
        member_page.member_detail,
        name="cohort_member",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/<id:user_id>/remind/",
        member_page.member_remind,
        name="cohort_member_remind",
    ),
    path("manage/cohorts/<uuid:cohort_id>/upload/", upload.cohort_upload, name="cohort_upload"),
    path(
        "manage/cohorts/<uuid:cohort_id>/uploads/<uuid:job_id>/",
        upload.upload_job,
        name="cohort_upload_job",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/uploads/<uuid:job_id>/progress.json",
        upload.upload_job_progress,
        name="cohort_upload_job_progress",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/uploads/<uuid:job_id>/resume/",
        upload.upload_job_resume,
        name="cohort_upload_job_resume",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/add/",
        members.member_add,
        name="cohort_member_add",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/members/<id:user_id>/remove/",
        members.member_remove,
        name="cohort_member_remove",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/invitations/<id:invitation_id>/cancel/",
        members.invitation_cancel,
        name="cohort_invitation_cancel",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/invitations/<id:invitation_id>/resend/",
        members.invitation_resend,
        name="cohort_invitation_resend",
    ),
    path(
        "manage/cohorts/<uuid:cohort_id>/invite-link/",
        members.invite_link,
        name="cohort_invite_link",
    ),
]
