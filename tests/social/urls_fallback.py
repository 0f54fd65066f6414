"""`marketplace.urls` plus stand-ins for the foundation's URL names (accounts:login/logout/signup,
listings:detail) when they are not merged into this branch; base.html and the social pages
link to them. Once the foundation's URLs exist, conftest does not use this module."""

from django.http import HttpResponse
from django.urls import include, path

from marketplace.urls import urlpatterns as site_urlpatterns


def placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


accounts = (
    [
        path("login/", placeholder, name="login"),
        path("logout/", placeholder, name="logout"),
        path("signup/", placeholder, name="signup"),
    ],
    "accounts",
)
listings = ([path("<int:pk>/", placeholder, name="detail")], "listings")

urlpatterns = [
    *site_urlpatterns,
    path("accounts/", include(accounts)),
    path("listings/", include(listings)),
]
