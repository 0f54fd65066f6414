from django.urls import path

from . import views

app_name = "social"


def poll_routes(prefix: str, kwarg: str, name_prefix: str = ""):
    """The poll page and its participant actions, reached by id or by private-link token."""
    return [
        path(f"{prefix}<{kwarg}>/", views.poll_detail, name=f"{name_prefix}poll"),
        path(f"{prefix}<{kwarg}>/vote/", views.poll_vote, name=f"{name_prefix}poll_vote"),
        path(f"{prefix}<{kwarg}>/comment/", views.poll_comment, name=f"{name_prefix}poll_comment"),
    ]


urlpatterns = [
    path("saved/", views.saved_list, name="saved"),
    path("saved/<int:listing_id>/", views.toggle_saved, name="toggle_saved"),
    path("friends/", views.friends, name="friends"),
    path("friends/request/<int:user_id>/", views.send_request, name="send_request"),
    path(
        "friends/requests/<int:pk>/accept/",
        views.respond_request,
        {"accept": True},
        name="accept_request",
    ),
    path(
        "friends/requests/<int:pk>/decline/",
        views.respond_request,
        {"accept": False},
        name="decline_request",
    ),
    path("friends/remove/<int:user_id>/", views.remove_friend, name="remove_friend"),
    path("block/<int:user_id>/", views.block, name="block"),
    path("unblock/<int:user_id>/", views.unblock, name="unblock"),
    path("polls/", views.poll_list, name="polls"),
    path("polls/new/", views.poll_create, name="poll_create"),
    *poll_routes("polls/", "int:pk"),
    *poll_routes("shared/", "str:token", "shared_"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:pk>/invite/", views.poll_invite, name="poll_invite"),
    path("polls/<int:pk>/share/", views.poll_share, name="poll_share"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/email/", views.notification_email, name="notification_email"),
]
