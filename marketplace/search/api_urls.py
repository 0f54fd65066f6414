from django.urls import path

from .api import ImageSearchView

urlpatterns = [path("image/", ImageSearchView.as_view(), name="api-search-image")]
