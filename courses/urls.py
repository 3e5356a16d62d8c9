from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("learning/", views.dashboard, name="dashboard"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate"),
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
]
