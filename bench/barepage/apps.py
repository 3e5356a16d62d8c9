from django.apps import AppConfig


class BarePageConfig(AppConfig):
    """Installed only by bench/http_settings.py, never by the site."""

    name = "barepage"
    label = "barepage"
    default_auto_field = "django.db.models.BigAutoField"
