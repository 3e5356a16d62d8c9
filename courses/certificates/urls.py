from django.urls import path

from courses.certificates import views
from quizzes import converters

converters.register()  # <id:...>: a 404 beyond 64 bits

# Pages and downloads people open: a host site may serve them under a language prefix.
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path("certificates/name/", views.certificate_name, name="certificate_name"),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate"),
    path("certificates/<str:code>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/badge.json", views.certificate_badge, name="certificate_badge"),
]

# Addresses that machines read and that signed credentials carry: the same in every language,
# never under a language prefix (courses.machine_urls, namespace `credentials`).
machine_urlpatterns = [
    path(".well-known/did.json", views.did_document, name="did_document"),
    path(
        "credentials/status/<id:number>/",
        views.credential_status_list,
        name="credential_status_list",
    ),
    path("verify/<str:code>/status.json", views.certificate_status, name="certificate_status"),
]
