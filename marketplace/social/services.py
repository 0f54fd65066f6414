"""Writes: friend requests, blocks, saves, polls, votes, comments and their notifications.

Every function that changes something runs in one transaction, creates the notifications for the
event in that same transaction, and e-mails them only after it commits. Refusals raise
`SocialError` (or `RateLimited`) with a message fit to show the user; nothing is changed then.
"""

import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.listings.selectors import listings_for_sale

from . import selectors
from .models import (
    Block,
    Comment,
    Friendship,
    Notification,
    NotificationSettings,
    Poll,
    PollInvite,
    PollOption,
    SavedListing,
    Vote,
    hash_share_token,
)

User = get_user_model()
INVITE_KINDS = (Notification.Kind.FRIEND_REQUEST, Notification.Kind.POLL_INVITE)


class SocialError(Exception):
    """A refused action; the message is safe to show to the user."""


class RateLimited(SocialError):
    """Too many invites or comments in the recent window (HTTP 429 in the API)."""


# --- notifications --------------------------------------------------------------------------


def notify(recipient, kind: str, actor, poll: Poll | None = None) -> Notification:
    """Record a notification now; e-mail it once (and only if) the transaction commits."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, poll=poll
    )
    # robust: a mail server that is down is logged; the stored notification is enough.
    transaction.on_commit(partial(email_notification, notification.pk), robust=True)
    return notification


def email_notification(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient", "actor", "poll")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return
    recipient = notification.recipient
    opted_out = NotificationSettings.objects.filter(user=recipient, email_enabled=False).exists()
    if not recipient.email or opted_out:
        return
    link = settings.SITE_URL.rstrip("/") + notification.get_absolute_url()
    text = " ".join(str(notification).split())  # a question may hold newlines; headers may not
    body = (
        f"Hi {recipient.username},\n\n{text}\n\nOpen it on Shoplens: {link}\n\n"
        "You can turn these e-mails off on your notifications page."
    )
    send_mail(f"Shoplens: {text}"[:150], body, None, [recipient.email])


def mark_notification_read(user, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=user).update(is_read=True)


def mark_all_notifications_read(user) -> int:
    return Notification.objects.filter(recipient=user, is_read=False).update(is_read=True)


def set_email_notifications(user, enabled: bool) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"email_enabled": enabled})


# --- rate limits ----------------------------------------------------------------------------


def _lock_user(user) -> None:
    """Serialise one user's rate-limited writes so concurrent requests cannot both pass."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _check_invite_rate(user, adding: int) -> None:
    """Friend requests and poll invitations together, counted by the notifications they sent
    (those rows stay even when a request is cancelled, so cancel-and-resend does not reset it)."""
    limit = settings.SOCIAL_INVITES_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    sent = Notification.objects.filter(
        actor=user, kind__in=INVITE_KINDS, created_at__gte=since
    ).count()
    if sent + adding > limit:
        raise RateLimited(
            f"You can send at most {limit} friend requests and invitations per hour "
            f"({sent} sent in the last hour). Please try again later."
        )


def _check_comment_rate(user) -> None:
    limit = settings.SOCIAL_COMMENTS_PER_MINUTE
    since = timezone.now() - timedelta(minutes=1)
    if Comment.objects.filter(author=user, created_at__gte=since).count() >= limit:
        raise RateLimited(
            f"You can post at most {limit} comments per minute. Please wait a moment."
        )


# --- friends and blocks ---------------------------------------------------------------------


@transaction.atomic
def send_friend_request(from_user, to_user) -> Friendship:
    """Ask `to_user` to be friends. A pending request the other way is accepted instead; a
    declined one may be sent again (the rate limit bounds how often)."""
    if from_user.pk == to_user.pk:
        raise SocialError("You can't send a friend request to yourself.")
    _lock_user(from_user)
    if selectors.is_blocked_between(from_user, to_user):
        raise SocialError("You can't send a friend request to this user.")
    existing = selectors.friendship_between(from_user, to_user)
    if existing is not None:
        if existing.status == Friendship.Status.ACCEPTED:
            raise SocialError(f"You are already friends with {to_user.username}.")
        if existing.status == Friendship.Status.PENDING:
            if existing.from_user_id == from_user.pk:
                raise SocialError(f"You already sent {to_user.username} a request.")
            return accept_friend_request(existing, from_user)
    _check_invite_rate(from_user, 1)
    friendship = existing or Friendship(from_user=from_user, to_user=to_user)
    friendship.from_user, friendship.to_user = from_user, to_user
    friendship.status = Friendship.Status.PENDING
    friendship.requested_at, friendship.responded_at = timezone.now(), None
    try:
        with transaction.atomic():
            friendship.save()
    except IntegrityError:  # the other user sent one at the same moment
        raise SocialError(
            f"There is already a request between you and {to_user.username}."
        ) from None
    notify(to_user, Notification.Kind.FRIEND_REQUEST, from_user)
    return friendship


def _respond(friendship: Friendship, user, status: str) -> Friendship:
    """Accept or decline; the request's notification is then read (it asked for this answer)."""
    if friendship.to_user_id != user.pk or friendship.status != Friendship.Status.PENDING:
        raise SocialError("This friend request is no longer pending.")
    friendship.status, friendship.responded_at = status, timezone.now()
    friendship.save(update_fields=["status", "responded_at"])
    Notification.objects.filter(recipient=user, actor_id=friendship.from_user_id,
                                kind=Notification.Kind.FRIEND_REQUEST).update(is_read=True)
    return friendship


@transaction.atomic
def accept_friend_request(friendship: Friendship, user) -> Friendship:
    _respond(friendship, user, Friendship.Status.ACCEPTED)
    notify(friendship.from_user, Notification.Kind.FRIEND_ACCEPTED, user)
    return friendship


def decline_friend_request(friendship: Friendship, user) -> Friendship:
    return _respond(friendship, user, Friendship.Status.DECLINED)


@transaction.atomic
def remove_friend(user, other) -> bool:
    """Unfriend, or cancel/clear a request, between the two users. False if there was none.

    Unfriending withdraws the invitations each had to the other's polls (votes already cast
    still count); a valid private link still lets its holder look."""
    friendship = selectors.friendship_between(user, other)
    if friendship is None:
        return False
    friendship.delete()
    PollInvite.objects.filter(
        Q(poll__owner=user, user=other) | Q(poll__owner=other, user=user)).delete()
    return True


@transaction.atomic
def block_user(blocker, blocked) -> Block:
    """Block `blocked`: ends any friendship or request between the two."""
    if blocker.pk == blocked.pk:
        raise SocialError("You can't block yourself.")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    remove_friend(blocker, blocked)
    return block


def unblock_user(blocker, blocked) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


# --- saved listings -------------------------------------------------------------------------


def save_listing(user, listing) -> SavedListing:
    if not listing.is_public:
        raise SocialError("This listing is not available.")
    if listing.seller_id == user.pk:
        raise SocialError("This is your own listing: there is no need to save it.")
    saved, _ = SavedListing.objects.get_or_create(user=user, listing=listing)
    return saved


def unsave_listing(user, listing_id: int) -> None:
    """By id: the listing itself is not read (it may be hidden or gone)."""
    SavedListing.objects.filter(user=user, listing_id=listing_id).delete()


# --- polls ----------------------------------------------------------------------------------


@transaction.atomic
def create_poll(owner, question: str, listings, invitees=()) -> Poll:
    """A poll about 1–4 distinct listings that are for sale by someone else, inviting some of
    `owner`'s friends (asking which of one's own listings to buy makes no sense)."""
    question = question.strip()
    if not question:
        raise SocialError("Write a question for your friends.")
    listings = list(dict.fromkeys(listings))
    if not 1 <= len(listings) <= Poll.MAX_OPTIONS:
        raise SocialError(f"Pick between 1 and {Poll.MAX_OPTIONS} listings.")
    askable = set(
        listings_for_sale()
        .filter(pk__in=[listing.pk for listing in listings])
        .values_list("pk", flat=True)
    )
    unavailable = [str(listing) for listing in listings if listing.pk not in askable]
    if unavailable:
        raise SocialError(f"No longer for sale: {', '.join(unavailable)}.")
    own = [listing.title for listing in listings if listing.seller_id == owner.pk]
    if own:
        raise SocialError(
            f"You are selling {', '.join(own)}: ask about listings you might buy, not your own."
        )
    poll = Poll.objects.create(owner=owner, question=question)
    PollOption.objects.bulk_create(
        PollOption(
            poll=poll,
            listing=listing,
            position=position,
            title=listing.title,
            price=listing.price,
            currency=listing.currency,
        )
        for position, listing in enumerate(listings)
    )
    invite_to_poll(poll, owner, invitees)
    return poll


@transaction.atomic
def invite_to_poll(poll: Poll, owner, users) -> list[PollInvite]:
    """Invite accepted, unblocked friends of the owner; anyone else refuses the whole batch."""
    if poll.owner_id != owner.pk:
        raise SocialError("Only the person who asked can invite friends.")
    if poll.is_closed:
        raise SocialError("This question is closed.")
    already = set(poll.invites.values_list("user_id", flat=True))
    users = [user for user in dict.fromkeys(users) if user.pk not in already]
    friend_ids = set(
        selectors.friends_of(owner)
        .filter(pk__in=[user.pk for user in users])
        .values_list("pk", flat=True)
    )
    strangers = [user.username for user in users if user.pk not in friend_ids]
    if strangers:
        raise SocialError(f"You can only ask your friends; not: {', '.join(strangers)}.")
    if not users:
        return []
    _lock_user(owner)
    _check_invite_rate(owner, len(users))
    invites = PollInvite.objects.bulk_create(PollInvite(poll=poll, user=user) for user in users)
    for user in users:
        notify(user, Notification.Kind.POLL_INVITE, owner, poll)
    return invites


def _locked_open_poll(poll: Poll) -> Poll:
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.is_closed:
        raise SocialError("This question is closed.")
    return poll


@transaction.atomic
def cast_vote(poll: Poll, voter, option: PollOption) -> Vote:
    """Vote, or change one's vote, while the poll is open. The caller checked `voter` may see
    the poll (invited, owner, or holder of a valid link)."""
    poll = _locked_open_poll(poll)
    if option.poll_id != poll.pk:
        raise SocialError("That option is not part of this question.")
    vote, created = Vote.objects.update_or_create(
        poll=poll, voter=voter, defaults={"option": option}
    )
    if created and voter.pk != poll.owner_id:
        notify(poll.owner, Notification.Kind.VOTE, voter, poll)
    return vote


@transaction.atomic
def add_comment(poll: Poll, author, body: str) -> Comment:
    """Store the comment exactly as typed (it is escaped on output) and tell the others."""
    body = body.strip()
    if not body:
        raise SocialError("Write something first.")
    if len(body) > Comment.MAX_LENGTH:
        raise SocialError(f"Comments are at most {Comment.MAX_LENGTH} characters.")
    poll = _locked_open_poll(poll)
    _lock_user(author)
    _check_comment_rate(author)
    comment = Comment.objects.create(poll=poll, author=author, body=body)
    recipients = {poll.owner_id, *poll.invites.values_list("user_id", flat=True)} - {author.pk}
    for recipient in User.objects.filter(pk__in=recipients):
        notify(recipient, Notification.Kind.COMMENT, author, poll)
    return comment


@transaction.atomic
def close_poll(poll: Poll, user) -> Poll:
    """Close the poll and tell the people `selectors.poll_viewers` names: its invited friends.
    Not voters who came by the private link: nothing but the link ties them to the poll (it
    still opens the closed poll until it expires or is revoked). Nor those un-invited
    (unfriended) or blocked since: its page is a 404 for them (and a block means no e-mails)."""
    if poll.owner_id != user.pk:
        raise SocialError("Only the person who asked can close the question.")
    poll = _locked_open_poll(poll)
    poll.closed_at = timezone.now()
    poll.save(update_fields=["closed_at"])
    for recipient in selectors.poll_viewers(poll):
        notify(recipient, Notification.Kind.POLL_CLOSED, user, poll)
    return poll


def create_share_link(poll: Poll, user) -> str:
    """A fresh private link token (replacing any earlier one). Only its hash is stored, so the
    token is shown once, to the owner, right now."""
    if poll.owner_id != user.pk:
        raise SocialError("Only the person who asked can share the question.")
    token = secrets.token_urlsafe(32)
    poll.share_token_hash = hash_share_token(token)
    poll.share_expires_at = timezone.now() + timedelta(days=settings.SOCIAL_SHARE_LINK_DAYS)
    poll.save(update_fields=["share_token_hash", "share_expires_at"])
    return token


def revoke_share_link(poll: Poll, user) -> None:
    if poll.owner_id != user.pk:
        raise SocialError("Only the person who asked can revoke the link.")
    poll.share_token_hash, poll.share_expires_at = "", None
    poll.save(update_fields=["share_token_hash", "share_expires_at"])
