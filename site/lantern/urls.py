from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lantern.home import urls as home_urls
from lantern.users import urls as user_urls
from lantern.users.views import set_language

# Addresses that are the same in every language: the admin (its own language setting), files,
# what machines read (the DID document, credential status), and the language switcher itself.
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
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("courses.machine_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# What people read, in their language: English at the usual addresses, the other languages
# under /es/, /fr/ and /ar/ (docs/translation.md). Wagtail's page URLs come last, with the
# course tree's routes cached (courses.content.page_cache).
urlpatterns += i18n_patterns(
    path("account/", include(user_urls)),
    path("quizzes/", include("quizzes.urls")),
    path("", include("courses.urls")),
    path("", include(home_urls)),
    path("", include("courses.wagtail_urls")),
    prefix_default_language=False,
)

handler500 = "lantern.home.views.server_error"
