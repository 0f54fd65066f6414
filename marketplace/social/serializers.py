from django.contrib.auth import get_user_model
from rest_framework import serializers

from marketplace.listings.selectors import listings_for_sale, public_listings

from . import selectors
from .models import Block, Comment, Friendship, Notification, Poll, PollOption, SavedListing

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class FriendshipSerializer(serializers.ModelSerializer):
    from_user = UserSerializer(read_only=True)
    to_user = UserSerializer(read_only=True)

    class Meta:
        model = Friendship
        fields = ["id", "from_user", "to_user", "status", "requested_at", "responded_at"]


class UsernameSerializer(serializers.Serializer):
    username = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )


class BlockSerializer(serializers.ModelSerializer):
    blocked = UserSerializer(read_only=True)

    class Meta:
        model = Block
        fields = ["id", "blocked", "created_at"]


class SavedListingSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="listing.title", read_only=True)
    price = serializers.DecimalField(
        source="listing.price", max_digits=12, decimal_places=2, read_only=True
    )
    currency = serializers.CharField(source="listing.currency", read_only=True)
    status = serializers.CharField(source="listing.status", read_only=True)

    class Meta:
        model = SavedListing
        fields = ["id", "listing", "title", "price", "currency", "status", "created_at"]
        read_only_fields = ["created_at"]
        # A listing that is not public reads as one that does not exist.
        extra_kwargs = {"listing": {"queryset": public_listings()}}
        validators = []  # duplicates are fine: saving twice keeps one row


class CommentSerializer(serializers.ModelSerializer):
    """`body` is returned exactly as typed: plain text, never HTML."""

    author = UserSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["created_at"]


class PollOptionSerializer(serializers.ModelSerializer):
    """An option with the listing's current title/price/status, or the last known ones once the
    listing is gone; `url` (the listing page, with its rotating view if it has one) is null then."""

    title = serializers.CharField(source="current_title")
    price = serializers.DecimalField(source="current_price", max_digits=12, decimal_places=2)
    currency = serializers.CharField(source="current_currency")
    availability = serializers.CharField()
    url = serializers.SerializerMethodField()
    votes = serializers.IntegerField(source="vote_count")

    class Meta:
        model = PollOption
        fields = [
            "id",
            "position",
            "listing",
            "title",
            "price",
            "currency",
            "availability",
            "url",
            "votes",
        ]
        read_only_fields = fields

    def get_url(self, option) -> str | None:
        return option.listing.get_absolute_url() if option.availability != "gone" else None


class PollSummarySerializer(serializers.ModelSerializer):
    owner = UserSerializer(read_only=True)

    class Meta:
        model = Poll
        fields = ["id", "question", "owner", "created_at", "closed_at", "is_closed"]


class PollSerializer(PollSummarySerializer):
    """The whole poll: live tallies, the winners (several on a tie), comments, the caller's
    vote. The poll page re-reads this every few seconds."""

    options = serializers.SerializerMethodField()
    total_votes = serializers.SerializerMethodField()
    winners = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()

    class Meta(PollSummarySerializer.Meta):
        fields = PollSummarySerializer.Meta.fields + [
            "options",
            "total_votes",
            "winners",
            "my_vote",
            "comments",
        ]

    def _result(self, poll) -> selectors.PollResult:
        cache = self.context.setdefault("poll_results", {})
        if poll.pk not in cache:
            cache[poll.pk] = selectors.poll_result(poll)
        return cache[poll.pk]

    def get_options(self, poll) -> list[dict]:
        return PollOptionSerializer(self._result(poll).options, many=True).data

    def get_total_votes(self, poll) -> int:
        return self._result(poll).total_votes

    def get_winners(self, poll) -> list[int]:
        return [option.pk for option in self._result(poll).winners]

    def get_my_vote(self, poll) -> int | None:
        vote = selectors.vote_of(poll, self.context["request"].user)
        return vote.option_id if vote else None

    def get_comments(self, poll) -> list[dict]:
        return CommentSerializer(selectors.poll_comments(poll), many=True).data


class PollCreateSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=200)
    listings = serializers.PrimaryKeyRelatedField(many=True, queryset=listings_for_sale())
    invitees = serializers.SlugRelatedField(
        many=True,
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        default=list,
    )


class InviteSerializer(serializers.Serializer):
    invitees = serializers.SlugRelatedField(
        many=True, slug_field="username", queryset=User.objects.filter(is_active=True)
    )


class VoteSerializer(serializers.Serializer):
    option = serializers.IntegerField()


class ShareLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class NotificationSerializer(serializers.ModelSerializer):
    actor = UserSerializer(read_only=True)
    text = serializers.CharField(source="__str__", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "actor", "poll", "text", "url", "is_read", "created_at"]
        read_only_fields = fields


class EmailSettingSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
