from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "marketplace.photos"
    label = "photos"
