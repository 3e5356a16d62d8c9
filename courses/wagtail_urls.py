"""Wagtail's page-serving URLs, with the course tree's routes read from the cache
(`courses.content.page_cache.serve`). Host sites include this last, in place of
`wagtail.urls`: `path("", include("courses.wagtail_urls"))`."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from courses.content.page_cache import serve

urlpatterns = [
    *(url for url in wagtail_urls.urlpatterns if getattr(url, "name", None) != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, serve, name="wagtail_serve"),
]
