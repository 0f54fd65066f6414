"""URLconf for tests: the site with Django serving MEDIA_ROOT (SERVE_MEDIA on, as in local work)."""
from marketplace.urls import media_urlpatterns
from marketplace.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, *media_urlpatterns()]
