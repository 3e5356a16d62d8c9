"""The person's own account pages, beside django-allauth's sign-up, login, email, password
and two-factor pages (all under /account/)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("data/", views.my_data, name="my_data"),
    path("data/download/", views.download_my_data, name="download_my_data"),
    path("delete/", views.delete_my_account, name="delete_account"),
    path("", include("allauth.urls")),
]
