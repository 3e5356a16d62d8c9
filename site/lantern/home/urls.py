from django.urls import path

from . import views

urlpatterns = [
    path("support/", views.support, name="support"),
    path("quick-exit/", views.quick_exit, name="quick_exit"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
