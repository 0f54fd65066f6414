"""Read-only API: a live spin's frames for apps and other clients (sellers also see their own)."""
from django.db.models import Q
from rest_framework import serializers, viewsets

from marketplace.listings.selectors import public_listings

from . import selectors
from .models import Spin


class SpinSerializer(serializers.ModelSerializer):
    viewer = serializers.SerializerMethodField()

    class Meta:
        model = Spin
        fields = ["id", "listing", "status", "progress", "failure_reason", "frame_count",
                  "loop_closed", "is_live", "published_at", "viewer"]

    def get_viewer(self, spin: Spin) -> dict | None:
        return selectors.viewer_data(spin) if spin.status == Spin.Status.DONE else None


class SpinViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SpinSerializer
    filterset_fields = ["listing"]

    def get_queryset(self):
        user = self.request.user
        public = Q(is_live=True, listing__in=public_listings())
        mine = Q(listing__seller_id=user.pk) if user.is_authenticated else Q(pk__in=[])
        return Spin.objects.filter(public | mine).order_by("-created_at")
