from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete


class PhotosConfig(AppConfig):
    name = "marketplace.photos"
    label = "photos"

    def ready(self):
        from PIL import Image

        from .models import Photo
        from .services import delete_files_of

        # Pillow's own bomb guard at the site's limit (uploads are checked against it first).
        Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
        # Files go when their photo goes, whether deleted alone or with its listing.
        post_delete.connect(lambda instance, **_: delete_files_of(instance), sender=Photo,
                            weak=False, dispatch_uid="photos.delete_files")
