from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path(
        "lessons/<int:lesson_id>/reflections/<str:block_id>/",
        views.save_reflection,
        name="save_reflection",
    ),
    path("search/", views.search, name="search"),
]
