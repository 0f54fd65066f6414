"""Reads: who is a friend, who may see which poll, tallies. Every visibility rule lives here."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from marketplace.listings.selectors import ready_photos

from .models import (
    Block,
    Friendship,
    Notification,
    Poll,
    PollOption,
    SavedListing,
    hash_share_token,
)

User = get_user_model()


def is_blocked_between(user_a, user_b) -> bool:
    """True when either user blocked the other."""
    return Block.objects.filter(
        Q(blocker=user_a, blocked=user_b) | Q(blocker=user_b, blocked=user_a)
    ).exists()


def friendship_between(user_a, user_b) -> Friendship | None:
    return Friendship.objects.filter(
        Q(from_user=user_a, to_user=user_b) | Q(from_user=user_b, to_user=user_a)
    ).first()


def friends_of(user) -> QuerySet:
    """Accepted friends, minus anyone on either side of a block."""
    accepted = Friendship.objects.filter(status=Friendship.Status.ACCEPTED)
    return (
        User.objects.filter(
            Q(pk__in=accepted.filter(from_user=user).values("to_user"))
            | Q(pk__in=accepted.filter(to_user=user).values("from_user"))
        )
        .exclude(pk__in=blocked_user_ids(user))
        .order_by("username")
    )


def blocked_user_ids(user) -> QuerySet:
    """Ids of users this user blocked or was blocked by (a subquery, not evaluated)."""
    return User.objects.filter(
        Q(blocks_received__blocker=user) | Q(blocks_made__blocked=user)
    ).values("pk")


def incoming_requests(user) -> QuerySet:
    return (
        Friendship.objects.filter(to_user=user, status=Friendship.Status.PENDING)
        .exclude(from_user__in=blocked_user_ids(user))
        .select_related("from_user")
    )


def outgoing_requests(user) -> QuerySet:
    return Friendship.objects.filter(
        from_user=user, status=Friendship.Status.PENDING
    ).select_related("to_user")


def search_users(user, query: str, limit: int = 20) -> QuerySet:
    """Active users whose username contains `query`; blocked and blocking users never appear."""
    query = query.strip()
    if not query:
        return User.objects.none()
    return (
        User.objects.filter(username__icontains=query, is_active=True)
        .exclude(pk=user.pk)
        .exclude(pk__in=blocked_user_ids(user))
        .order_by("username")[:limit]
    )


def blocks_made_by(user) -> QuerySet:
    return Block.objects.filter(blocker=user).select_related("blocked")


def saved_listings(user) -> QuerySet:
    return (SavedListing.objects.filter(user=user).select_related("listing", "listing__category")
            .prefetch_related(ready_photos("listing__photos")))


def saved_listing_ids(user) -> set[int]:
    return set(SavedListing.objects.filter(user=user).values_list("listing_id", flat=True))


def visible_polls(user) -> QuerySet:
    """Polls the user owns or was invited to, unless a block separates them from the owner."""
    if not user.is_authenticated:
        return Poll.objects.none()
    return (
        Poll.objects.filter(Q(owner=user) | Q(invites__user=user))
        .exclude(owner__in=blocked_user_ids(user))
        .distinct()
        .select_related("owner")
    )


def poll_viewers(poll: Poll) -> QuerySet:
    """Who, besides its owner, can open the poll's page (`visible_polls`): the invited users a
    block does not separate from the owner. Not private-link holders: they open it by link."""
    return User.objects.filter(poll_invites__poll=poll).exclude(
        pk__in=blocked_user_ids(poll.owner))


def poll_for_share_token(token: str, user=None) -> Poll:
    """The poll a share link opens. Forged, revoked or expired links, and holders the owner
    blocked (or who blocked the owner), all get the same 404 as a poll that does not exist."""
    poll = (
        Poll.objects.select_related("owner")
        .filter(
            share_token_hash=hash_share_token(token),
            share_token_hash__gt="",
            share_expires_at__gt=timezone.now(),
        )
        .first()
    )
    if poll is None or (
        user is not None and user.is_authenticated and is_blocked_between(user, poll.owner)
    ):
        raise Http404("No such poll.")
    return poll


def get_poll(user, pk: int | None = None, token: str | None = None) -> Poll:
    """A poll by id for people who can see it, or by share token for link holders; else 404."""
    if token is not None:
        return poll_for_share_token(token, user)
    poll = visible_polls(user).filter(pk=pk).first()
    if poll is None:
        raise Http404("No such poll.")
    return poll


def poll_options(poll: Poll) -> QuerySet:
    # Explicit order_by: Django drops Meta.ordering from queries with GROUP BY.
    return (
        poll.options.select_related("listing").prefetch_related(ready_photos("listing__photos"))
        .annotate(vote_count=Count("votes"))
        .order_by("position")
    )


@dataclass(frozen=True)
class PollResult:
    options: list[PollOption]  # with `vote_count`
    total_votes: int
    winners: list[PollOption]  # empty before the first vote; several on a tie

    @property
    def is_tie(self) -> bool:
        return len(self.winners) > 1


def poll_result(poll: Poll) -> PollResult:
    options = list(poll_options(poll))
    top = max((option.vote_count for option in options), default=0)
    winners = [option for option in options if top and option.vote_count == top]
    return PollResult(options, sum(option.vote_count for option in options), winners)


def vote_of(poll: Poll, user):
    if not user.is_authenticated:
        return None
    return poll.votes.filter(voter=user).first()


def poll_comments(poll: Poll) -> QuerySet:
    return poll.comments.select_related("author")


def notifications_for(user) -> QuerySet:
    return Notification.objects.filter(recipient=user).select_related("actor", "poll")


def unread_notification_count(user) -> int:
    return Notification.objects.filter(recipient=user, is_read=False).count()
