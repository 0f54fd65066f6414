from django.urls import path

from . import views

app_name = "spins"

urlpatterns = [
    path("listings/<int:listing_id>/spin/", views.capture, name="capture"),
    path("spins/<int:spin_id>/status/", views.status, name="status"),
    path("spins/<int:spin_id>/preview/", views.preview, name="preview"),
    path("spins/<int:spin_id>/publish/", views.publish, name="publish"),
]
