from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lantern.ops"
    label = "ops"
    verbose_name = "Operations"
