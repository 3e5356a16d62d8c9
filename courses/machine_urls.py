"""The courses app's machine-read URLs, namespace `credentials`: the issuer's DID document,
credential status lists and certificate status JSON. Signed credentials carry these addresses,
so a host site includes them outside `i18n_patterns`: they never change with the language."""

from courses.certificates.urls import machine_urlpatterns

app_name = "credentials"

urlpatterns = [*machine_urlpatterns]
