from rest_framework import serializers

from marketplace.photos.models import Photo

from .models import Category, Listing
from .services import EDITABLE_FIELDS


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "parent", "position"]


class CategoryTreeSerializer(CategorySerializer):
    """A vertical with its sub-categories (the taxonomy is two levels deep)."""

    children = CategorySerializer(many=True, read_only=True)

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "children"]


class ListingPhotoSerializer(serializers.ModelSerializer):
    """A processed photo's renditions (the original upload is never served)."""

    display = serializers.FileField(read_only=True, use_url=True)
    thumbnail = serializers.FileField(read_only=True, use_url=True)

    class Meta:
        model = Photo
        fields = ["id", "position", "display", "thumbnail", "width", "height"]


class ListingSerializer(serializers.ModelSerializer):
    """A listing. Creating or editing one needs what a published listing has (title, category,
    price): drafts are started from photos on the web, and only their seller reads them here
    (category and price null, title "")."""

    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    seller = serializers.CharField(source="seller.username", read_only=True)
    photos = ListingPhotoSerializer(source="ready_photos", many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="listings:detail")

    class Meta:
        model = Listing
        fields = ["id", "url", *EDITABLE_FIELDS, "seller", "status", "photos",
                  "created_at", "updated_at"]
        read_only_fields = ["status", "created_at", "updated_at"]
        extra_kwargs = {"title": {"required": True, "allow_blank": False},
                        "price": {"required": True, "allow_null": False}}
