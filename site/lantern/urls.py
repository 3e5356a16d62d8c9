from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lantern.home import urls as home_urls
from lantern.users import urls as user_urls

urlpatterns = [
    # The admin signs in (and resets passwords) through the site's own pages, with their
    # rate limits and two-factor sign-in; Wagtail's password form is never reachable.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password", query_string=True),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include(user_urls)),
    path("quizzes/", include("quizzes.urls")),
    path("", include("courses.urls")),
    path("", include(home_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page URLs, with the course tree's routes cached (courses.content.page_cache).
urlpatterns += [path("", include("courses.wagtail_urls"))]

handler500 = "lantern.home.views.server_error"
