"""URLconf for tests: the site plus a page that fails as if the database had gone away."""
from django.db import OperationalError
from django.urls import path

from marketplace.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise OperationalError("the database went away")


urlpatterns = [*site_urlpatterns, path("broken/", broken)]
