"""URLconf for tests: the listings pages plus a stand-in `photos:manage` route."""
from django.http import HttpResponse
from django.urls import include, path

photo_patterns = ([path("<int:pk>/photos/", lambda request, pk: HttpResponse(), name="manage")], "photos")

urlpatterns = [
    path("accounts/", include("marketplace.accounts.urls")),
    path("photos/", include(photo_patterns)),
    path("", include("marketplace.listings.urls")),
]
