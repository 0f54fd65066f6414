from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "spins"

router = SimpleRouter()
router.register("spins", api.SpinViewSet, basename="spin")

urlpatterns = [
    path("listings/<int:listing_id>/spin/", views.capture, name="capture"),
    path("spins/<int:spin_id>/status/", views.status, name="status"),
    path("spins/<int:spin_id>/preview/", views.preview, name="preview"),
    path("spins/<int:spin_id>/publish/", views.publish, name="publish"),
    path("api/v1/", include(router.urls)),
]
