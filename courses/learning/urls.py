from django.urls import path

from courses.learning import views

urlpatterns = [
    path("learning/", views.dashboard, name="dashboard"),
    path("learn/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("learn/courses/<int:course_id>/unenrol/", views.unenrol, name="unenrol"),
    path("learn/courses/<int:course_id>/recertify/", views.recertify, name="recertify"),
    path("learn/lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path(
        "learn/lessons/<int:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
]
