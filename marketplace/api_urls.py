"""The `/api/v1/` router. Each app adds its viewsets here with one `router.register` line."""
from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from marketplace.listings.api import CategoryViewSet, ListingViewSet
from marketplace.photos.api import ListingPhotoViewSet, PhotoViewSet
from marketplace.search.api import ImageSearchView
from marketplace.social.api import (
    BlockViewSet,
    FriendshipViewSet,
    NotificationViewSet,
    PollViewSet,
    SavedListingViewSet,
    SharedPollViewSet,
    UserSearchViewSet,
)
from marketplace.spins.api import SpinViewSet

router = DefaultRouter()
router.register("listings", ListingViewSet, basename="listing")
router.register("categories", CategoryViewSet, basename="category")
router.register(r"listings/(?P<listing_id>\d+)/photos", ListingPhotoViewSet,
                basename="listing-photos")
router.register("photos", PhotoViewSet, basename="photo")
router.register("social/friendships", FriendshipViewSet, basename="api-social-friendship")
router.register("social/users", UserSearchViewSet, basename="api-social-user")
router.register("social/blocks", BlockViewSet, basename="api-social-block")
router.register("social/saved", SavedListingViewSet, basename="api-social-saved")
router.register("social/polls", PollViewSet, basename="api-social-poll")
router.register("social/shared-polls", SharedPollViewSet, basename="api-social-shared-poll")
router.register("social/notifications", NotificationViewSet, basename="api-social-notification")
router.register("spins", SpinViewSet, basename="spin")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("search/image/", ImageSearchView.as_view(), name="api-search-image"),
    *router.urls,
]
