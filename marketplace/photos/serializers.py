from rest_framework import serializers

from marketplace.listings.selectors import is_seller

from .models import Photo


class PhotoSerializer(serializers.ModelSerializer):
    """A photo as buyers and the seller see it: renditions only, never the original."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    display_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 of the uploaded original, for the listing's seller (null for anyone "
                  "else: it would tell whether someone holds the private original).")

    class Meta:
        model = Photo
        fields = ["id", "listing", "position", "status", "status_label", "failure_reason",
                  "width", "height", "sha256", "display_url", "thumbnail_url", "created_at",
                  "processed_at"]
        read_only_fields = fields

    def get_display_url(self, photo: Photo) -> str | None:
        return photo.display.url if photo.display else None

    def get_thumbnail_url(self, photo: Photo) -> str | None:
        return photo.thumbnail.url if photo.thumbnail else None

    def get_sha256(self, photo: Photo) -> str | None:
        request = self.context.get("request")
        return photo.sha256 if request and is_seller(photo.listing, request.user) else None


class PhotoUploadSerializer(serializers.Serializer):
    images = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more JPEG, PNG, WebP or HEIC files (repeat the `images` part); "
                  "checked by `add_photos`, which stores all of them or none.")


class PhotoOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False,
        help_text="Every photo id of the listing, first photo first.")
