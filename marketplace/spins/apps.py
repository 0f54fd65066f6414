from django.apps import AppConfig


class SpinsConfig(AppConfig):
    name = "marketplace.spins"
    verbose_name = "Rotating views"
