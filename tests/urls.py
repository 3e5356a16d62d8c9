"""The site's URLs plus one view that fails, to test the 500 page."""

from django.urls import path

from lantern.urls import handler500  # noqa: F401
from lantern.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
