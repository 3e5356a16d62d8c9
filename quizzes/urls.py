from django.urls import path

from . import converters, views

converters.register()  # <id:...>: database ids, a 404 beyond 64 bits

app_name = "quizzes"

urlpatterns = [
    path("<id:quiz_id>/", views.quiz_detail, name="detail"),
    path("<id:quiz_id>/start/", views.start, name="start"),
    path("attempts/<id:attempt_id>/", views.attempt_view, name="attempt"),
    path("attempts/<id:attempt_id>/autosave/", views.autosave, name="autosave"),
    path("attempts/<id:attempt_id>/result/", views.result, name="result"),
]
