from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("listings/new/details/", views.create, name="create"),  # "Sell" starts at photos:start
    path("listings/mine/", views.mine, name="mine"),
    path("listings/<int:pk>/", views.detail, name="detail"),
    path("listings/<int:pk>/edit/", views.edit, name="edit"),
    path("listings/<int:pk>/sold/", views.mark_sold, name="mark_sold"),
    path("listings/<int:pk>/delete/", views.delete, name="delete"),
]
