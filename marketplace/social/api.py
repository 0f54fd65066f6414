"""REST API for social shopping under /api/v1/social/. Same selectors and services as the web
pages, so every rule (visibility, one vote per person, rate limits) holds for both."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Block, Friendship, Notification, Poll, SavedListing
from .serializers import (
    BlockSerializer,
    CommentSerializer,
    EmailSettingSerializer,
    FriendshipSerializer,
    InviteSerializer,
    NotificationSerializer,
    PollCreateSerializer,
    PollSerializer,
    PollSummarySerializer,
    SavedListingSerializer,
    ShareLinkSerializer,
    UsernameSerializer,
    UserSerializer,
    VoteSerializer,
)

User = get_user_model()


class Refused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


class SocialViewSet(viewsets.GenericViewSet):
    """Logged-in only; a refused service call is a 400, a rate limit a 429."""

    permission_classes = [permissions.IsAuthenticated]

    def handle_exception(self, exc):
        if isinstance(exc, services.RateLimited):
            exc = exceptions.Throttled(detail=str(exc))
        elif isinstance(exc, services.SocialError):
            exc = Refused(detail=str(exc))
        return super().handle_exception(exc)

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class FriendshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SocialViewSet):
    """Friend requests and friendships the caller is part of. DELETE unfriends or cancels."""

    queryset = Friendship.objects.none()  # for the schema; get_queryset() scopes to the caller
    serializer_class = FriendshipSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        user = self.request.user
        return (
            Friendship.objects.filter(from_user=user) | Friendship.objects.filter(to_user=user)
        ).select_related("from_user", "to_user")

    @extend_schema(request=UsernameSerializer, responses=FriendshipSerializer)
    def create(self, request):
        other = self.validated(UsernameSerializer)["username"]
        friendship = services.send_friend_request(request.user, other)
        return Response(FriendshipSerializer(friendship).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        friendship = self.get_object()
        services.remove_friend(request.user, friendship.other(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _incoming(self, pk):
        return get_object_or_404(selectors.incoming_requests(self.request.user), pk=pk)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        friendship = services.accept_friend_request(self._incoming(pk), request.user)
        return Response(FriendshipSerializer(friendship).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        friendship = services.decline_friend_request(self._incoming(pk), request.user)
        return Response(FriendshipSerializer(friendship).data)


@extend_schema(parameters=[OpenApiParameter("q", str, description="Part of a username")])
class UserSearchViewSet(mixins.ListModelMixin, SocialViewSet):
    """Find people by username (people who blocked you, or whom you blocked, never show)."""

    serializer_class = UserSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.search_users(self.request.user, self.request.query_params.get("q", ""))


class BlockViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, SocialViewSet):
    queryset = Block.objects.none()
    serializer_class = BlockSerializer

    def get_queryset(self):
        return selectors.blocks_made_by(self.request.user)

    @extend_schema(request=UsernameSerializer, responses=BlockSerializer)
    def create(self, request):
        block = services.block_user(request.user, self.validated(UsernameSerializer)["username"])
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, block):
        services.unblock_user(self.request.user, block.blocked)


class SavedListingViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, SocialViewSet):
    queryset = SavedListing.objects.none()
    serializer_class = SavedListingSerializer

    def get_queryset(self):
        return selectors.saved_listings(self.request.user)

    def create(self, request):
        listing = self.validated(SavedListingSerializer)["listing"]
        saved = services.save_listing(request.user, listing)
        return Response(SavedListingSerializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, saved):
        services.unsave_listing(self.request.user, saved.listing_id)


class PollParticipationMixin:
    """Read a poll, vote and comment: shared by polls reached by id and by private link."""

    @extend_schema(request=VoteSerializer, responses=PollSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def vote(self, request, **kwargs):
        poll = self.get_object()
        option = poll.options.filter(pk=self.validated(VoteSerializer)["option"]).first()
        if option is None:
            raise Refused("That option is not part of this question.")
        services.cast_vote(poll, request.user, option)
        return Response(PollSerializer(poll, context=self.get_serializer_context()).data)

    @extend_schema(request=CommentSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def comments(self, request, **kwargs):
        poll = self.get_object()
        body = self.validated(CommentSerializer)["body"]
        comment = services.add_comment(poll, request.user, body)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class PollViewSet(PollParticipationMixin, mixins.ListModelMixin, SocialViewSet):
    """Polls the caller asked or was invited to; anyone else gets 404."""

    queryset = Poll.objects.none()

    def get_queryset(self):
        return selectors.visible_polls(self.request.user)

    def get_object(self):
        return selectors.get_poll(self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PollSummarySerializer if self.action == "list" else PollSerializer

    def retrieve(self, request, pk=None):
        return Response(
            PollSerializer(self.get_object(), context=self.get_serializer_context()).data
        )

    @extend_schema(request=PollCreateSerializer, responses=PollSerializer)
    def create(self, request):
        data = self.validated(PollCreateSerializer)
        poll = services.create_poll(
            request.user, data["question"], data["listings"], data["invitees"]
        )
        return Response(
            PollSerializer(poll, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        poll = services.close_poll(self.get_object(), request.user)
        return Response(PollSerializer(poll, context=self.get_serializer_context()).data)

    @extend_schema(request=InviteSerializer, responses=UserSerializer(many=True))
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        invites = services.invite_to_poll(
            self.get_object(), request.user, self.validated(InviteSerializer)["invitees"]
        )
        return Response(UserSerializer([invite.user for invite in invites], many=True).data)

    @extend_schema(request=None, responses={201: ShareLinkSerializer, 204: None})
    @action(detail=True, methods=["post", "delete"], url_path="share-link")
    def share_link(self, request, pk=None):
        """POST: a new private link (shown once; replaces the old one). DELETE: revoke it."""
        poll = self.get_object()
        if request.method == "DELETE":
            services.revoke_share_link(poll, request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        token = services.create_share_link(poll, request.user)
        url = request.build_absolute_uri(reverse("social:shared_poll", args=[token]))
        return Response(
            ShareLinkSerializer(
                {"url": url, "token": token, "expires_at": poll.share_expires_at}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class SharedPollViewSet(PollParticipationMixin, SocialViewSet):
    """A poll by private-link token: anyone may read it; voting and commenting need login.
    Forged, expired and revoked tokens are 404, like polls that do not exist."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PollSerializer
    lookup_field = "token"
    lookup_value_regex = r"[-\w]+"

    def get_object(self):
        return selectors.poll_for_share_token(self.kwargs["token"], self.request.user)

    def retrieve(self, request, token=None):
        return Response(
            PollSerializer(self.get_object(), context=self.get_serializer_context()).data
        )


class NotificationViewSet(mixins.ListModelMixin, SocialViewSet):
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filterset_fields = ["is_read"]

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(
        responses={200: {"type": "object", "properties": {"unread": {"type": "integer"}}}}
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_notification_count(request.user)})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        services.mark_notification_read(request.user, notification)
        notification.is_read = True
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_notifications_read(request.user)})

    @extend_schema(request=EmailSettingSerializer, responses=EmailSettingSerializer)
    @action(detail=False, methods=["put"], url_path="email")
    def email(self, request):
        enabled = self.validated(EmailSettingSerializer)["enabled"]
        services.set_email_notifications(request.user, enabled)
        return Response({"enabled": enabled})
