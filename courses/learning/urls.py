from django.urls import path

from courses.learning import views
from quizzes import converters

converters.register()  # <id:...>: database ids, a 404 beyond 64 bits

urlpatterns = [
    path("learning/", views.dashboard, name="dashboard"),
    path(
        "learning/courses/<id:course_id>/complete/", views.course_complete, name="course_complete"
    ),
    path("learn/courses/<id:course_id>/enrol/", views.enrol, name="enrol"),
    path(
        "learn/courses/<id:course_id>/where-you-work/",
        views.change_jurisdiction,
        name="change_jurisdiction",
    ),
    path("learn/courses/<id:course_id>/unenrol/", views.unenrol, name="unenrol"),
    path("learn/courses/<id:course_id>/finish/", views.finish_course, name="finish_course"),
    path("learn/courses/<id:course_id>/recertify/", views.recertify, name="recertify"),
    path("learn/lessons/<id:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path(
        "learn/lessons/<id:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
]
