from django.urls import path

from courses.content import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
