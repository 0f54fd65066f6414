from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Pages link their icon; this catches browsers and pages (admin, API docs) that ask anyway.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("marketplace.api_urls")),
    path("accounts/", include("marketplace.accounts.urls")),
    path("", include("marketplace.listings.urls")),
    path("", include("marketplace.photos.urls")),
    path("social/", include("marketplace.social.urls")),
    path("", include("marketplace.spins.urls")),
    path("search/", include("marketplace.search.urls")),
]



def serve_media(request, path):
    """The public storage only (MEDIA_ROOT); photo originals live in the private one."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def media_urlpatterns():
    return [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]


if settings.SERVE_MEDIA:
    urlpatterns += media_urlpatterns()
