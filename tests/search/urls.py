"""The site's URLconf, plus placeholders for the accounts/listings pages when this branch runs
without the foundation's (base.html and `Listing.get_absolute_url` link to them)."""
from importlib.util import find_spec

from django.http import HttpResponse
from django.urls import include, path

from marketplace.urls import urlpatterns as site_urlpatterns


def placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


urlpatterns = list(site_urlpatterns)
if find_spec("marketplace.accounts.urls") is None:
    urlpatterns.append(path("accounts/", include(([
        path("login/", placeholder, name="login"), path("signup/", placeholder, name="signup"),
        path("logout/", placeholder, name="logout")], "accounts"))))
if find_spec("marketplace.listings.urls") is None:
    urlpatterns.append(path("listings/", include(([
        path("<int:pk>/", placeholder, name="detail")], "listings"))))
