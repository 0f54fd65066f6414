from django.urls import path

from . import views

app_name = "photos"
urlpatterns = [
    path("listings/new/", views.start, name="start"),  # "Sell"
    path("listings/<int:listing_pk>/photos/", views.manage, name="manage"),
    path("listings/<int:listing_pk>/photos/<int:photo_pk>/move/<str:direction>/", views.move,
         name="move"),
    path("listings/<int:listing_pk>/photos/<int:photo_pk>/delete/", views.delete, name="delete"),
]
