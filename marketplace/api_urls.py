"""The `/api/v1/` router. Each app adds its viewsets here with one `router.register` line."""
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from marketplace.listings.api import CategoryViewSet, ListingViewSet
from marketplace.photos.api import ListingPhotoViewSet, PhotoViewSet

router = DefaultRouter()
router.register("listings", ListingViewSet, basename="listing")
router.register("categories", CategoryViewSet, basename="category")
router.register(r"listings/(?P<listing_id>\d+)/photos", ListingPhotoViewSet,
                basename="listing-photos")
router.register("photos", PhotoViewSet, basename="photo")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
