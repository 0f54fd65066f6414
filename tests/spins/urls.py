"""The site's URLs plus stand-ins for the foundation's routes while they are not merged yet.

Also serves uploaded media to the live server used by the browser test. The spin pages extend base.html (which links the accounts pages) and the viewer lives on the
listing detail page; until those routes exist on this branch, minimal stand-ins take their names
so the spin pages render. Once the real modules exist, nothing is added.
"""
from importlib.util import find_spec

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.views.static import serve

from marketplace.listings.models import Listing
from marketplace.urls import urlpatterns as site_urlpatterns

DETAIL = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>{{ listing.title }}</h1>'
    '{% include "partials/listing_spin.html" %}{% endblock %}')


def listing_detail(request, pk):
    listing = get_object_or_404(Listing, pk=pk)
    return HttpResponse(DETAIL.render({"listing": listing}, request))


def media(request, path):
    """Uploaded files for the live server (tests run with DEBUG off; read MEDIA_ROOT per request)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def placeholder(request):
    return HttpResponse("stand-in")


urlpatterns = list(site_urlpatterns)
if not settings.SERVE_MEDIA:
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media))
if find_spec("marketplace.accounts.urls") is None:
    urlpatterns.append(path("accounts/", include(([
        path("login/", placeholder, name="login"), path("logout/", placeholder, name="logout"),
        path("signup/", placeholder, name="signup")], "accounts"))))
if find_spec("marketplace.listings.urls") is None:
    urlpatterns.append(path("listings/<int:pk>/", include(([
        path("", listing_detail, name="detail")], "listings"))))
