"""Friends, blocks, saved listings, "ask friends" polls and in-site notifications.

Invariants live here as database constraints; the rules that span several rows (who may invite,
vote or see what, rate limits) are in `services.py` and `selectors.py`.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone


class Friendship(models.Model):
    """A friend request and, once accepted, the friendship. One row per unordered pair."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="friend_requests_sent", on_delete=models.CASCADE
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="friend_requests_received", on_delete=models.CASCADE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Set on every (re)send: the invite rate limit counts requests by this time.
    requested_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                Least("from_user", "to_user"),
                Greatest("from_user", "to_user"),
                name="friendship_unique_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_user=models.F("to_user")), name="friendship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user} ({self.status})"

    def other(self, user):
        return self.to_user if user.pk == self.from_user_id else self.from_user


class Block(models.Model):
    """`blocker` no longer wants any contact with `blocked` (requests, invites, polls, search)."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocks_made", on_delete=models.CASCADE
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocks_received", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class SavedListing(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="saved_listings", on_delete=models.CASCADE
    )
    listing = models.ForeignKey(
        "listings.Listing", related_name="saved_by", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "listing"], name="saved_listing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} saved {self.listing_id}"


def hash_share_token(token: str) -> str:
    """Share tokens are stored only as this digest; a leaked database reveals no live link."""
    return hashlib.sha256(token.encode()).hexdigest()


class Poll(models.Model):
    """ "Ask friends": a question about one to four listings, answered by invited people."""

    MAX_OPTIONS = 4

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="polls", on_delete=models.CASCADE
    )
    question = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    share_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    share_expires_at = models.DateTimeField(null=True, blank=True)
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PollInvite", related_name="polls_invited_to"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.question

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def has_share_link(self) -> bool:
        return bool(self.share_token_hash) and self.share_expires_at > timezone.now()


class PollOption(models.Model):
    """One listing in a poll. The title/price are copied at creation so the option still reads
    well after the listing is sold, removed or deleted (`listing` then becomes NULL)."""

    poll = models.ForeignKey(Poll, related_name="options", on_delete=models.CASCADE)
    listing = models.ForeignKey(
        "listings.Listing",
        null=True,
        blank=True,
        related_name="poll_options",
        on_delete=models.SET_NULL,
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"], name="poll_option_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def availability(self) -> str:
        """ "available", "sold" or "gone" (removed, hidden by moderation or deleted)."""
        listing = self.listing
        if listing is None or not listing.is_public:
            return "gone"
        return "sold" if listing.status == listing.Status.SOLD else "available"

    @property
    def current_title(self) -> str:
        return self.listing.title if self.availability != "gone" else self.title

    @property
    def current_price(self):
        return self.listing.price if self.availability != "gone" else self.price

    @property
    def current_currency(self) -> str:
        return self.listing.currency if self.availability != "gone" else self.currency


class PollInvite(models.Model):
    poll = models.ForeignKey(Poll, related_name="invites", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="poll_invites", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="poll_invite_unique"),
        ]


class Vote(models.Model):
    """One vote per person and poll; changing it updates this row until the poll closes."""

    poll = models.ForeignKey(Poll, related_name="votes", on_delete=models.CASCADE)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="poll_votes", on_delete=models.CASCADE
    )
    option = models.ForeignKey(PollOption, related_name="votes", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="vote_one_per_person"),
        ]


class Comment(models.Model):
    """Stored exactly as typed; templates escape it and the API returns it as plain text."""

    MAX_LENGTH = 1000

    poll = models.ForeignKey(Poll, related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="poll_comments", on_delete=models.CASCADE
    )
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Notification(models.Model):
    class Kind(models.TextChoices):
        FRIEND_REQUEST = "friend_request", "sent you a friend request"
        FRIEND_ACCEPTED = "friend_accepted", "accepted your friend request"
        POLL_INVITE = "poll_invite", "asked for your opinion"
        VOTE = "vote", "voted on your question"
        COMMENT = "comment", "commented on"
        POLL_CLOSED = "poll_closed", "closed the question"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    poll = models.ForeignKey(
        Poll, null=True, blank=True, related_name="notifications", on_delete=models.CASCADE
    )
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "is_read"])]

    def __str__(self) -> str:
        text = f"{self.actor} {self.get_kind_display()}"
        return f"{text}: {self.poll.question}" if self.poll_id else text

    def get_absolute_url(self) -> str:
        if self.poll_id:
            return reverse("social:poll", args=[self.poll_id])
        return reverse("social:friends")


class NotificationSettings(models.Model):
    """Per-user e-mail opt-out; users without a row get e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="notification_settings", on_delete=models.CASCADE
    )
    email_enabled = models.BooleanField(default=True)
