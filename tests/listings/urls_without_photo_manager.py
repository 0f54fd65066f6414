"""URLconf for tests: the listings pages alone (no photos app)."""
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("marketplace.accounts.urls")),
    path("", include("marketplace.listings.urls")),
]
