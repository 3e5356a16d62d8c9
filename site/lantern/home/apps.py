from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "lantern.home"
    label = "home"
    verbose_name = "Home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lantern.home import admin_link

        admin_link.connect()
