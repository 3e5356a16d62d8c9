from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "lantern.users"
    label = "users"
    verbose_name = "Users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
