"""Photo routes, included at /api/v1/ next to the listings router."""
from rest_framework.routers import SimpleRouter

from .api import ListingPhotoViewSet, PhotoViewSet

router = SimpleRouter()
router.register(r"listings/(?P<listing_id>\d+)/photos", ListingPhotoViewSet,
                basename="listing-photos")
router.register("photos", PhotoViewSet, basename="photo")

urlpatterns = router.urls
