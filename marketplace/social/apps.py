from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "marketplace.social"
    label = "social"
    verbose_name = "Social shopping"
