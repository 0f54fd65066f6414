"""Web pages. Thin: look things up through `selectors`, change them through `services`, and
turn a `SocialError` into a message on the page it came from."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from marketplace.listings.selectors import public_listings

from . import selectors, services
from .forms import CommentForm, InviteForm, PollForm, UserSearchForm, VoteForm
from .models import Friendship, Notification

User = get_user_model()


def _back(request, fallback: str) -> HttpResponseRedirect:
    """Redirect to the form's `next` field when it is a local URL, else to `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def social_action(fallback_name: str):
    """A logged-in POST that runs one service call; refusals become an error message and the
    user goes back where they came from (the form's `next`, else `fallback_name`)."""

    def decorate(view):
        @wraps(view)
        @login_required
        @require_POST
        def wrapper(request, *args, **kwargs):
            try:
                view(request, *args, **kwargs)
            except services.SocialError as error:
                messages.error(request, str(error))
            return _back(request, reverse(fallback_name))

        return wrapper

    return decorate


# --- saved ----------------------------------------------------------------------------------


@login_required
def saved_list(request):
    return render(request, "social/saved.html", {"saved": selectors.saved_listings(request.user)})


@social_action("social:saved")
def toggle_saved(request, listing_id):
    """Save a public listing, or take any listing off one's list. About a listing that is not
    public (hidden, removed, or no such id) the answer is the same and names nothing."""
    listing = public_listings().filter(pk=listing_id).first()
    if request.POST.get("action") == "unsave":
        services.unsave_listing(request.user, listing_id)
        name = f"“{listing.title}”" if listing else "the listing"
        messages.success(request, f"Removed {name} from your saved list.")
    elif listing is None:
        raise Http404("No such listing.")
    else:
        services.save_listing(request.user, listing)
        messages.success(request, f"Saved “{listing.title}”.")


# --- friends --------------------------------------------------------------------------------


@login_required
def friends(request):
    user = request.user
    search = UserSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    results = list(selectors.search_users(user, query))
    friend_ids = set(selectors.friends_of(user).values_list("pk", flat=True))
    outgoing = selectors.outgoing_requests(user)
    pending_ids = set(outgoing.values_list("to_user_id", flat=True))
    return render(
        request,
        "social/friends.html",
        {
            "search": search,
            "query": query,
            "results": [
                (found, found.pk in friend_ids, found.pk in pending_ids) for found in results
            ],
            "friends": selectors.friends_of(user),
            "incoming": selectors.incoming_requests(user),
            "outgoing": outgoing,
            "blocks": selectors.blocks_made_by(user),
        },
    )


@social_action("social:friends")
def send_request(request, user_id):
    other = get_object_or_404(User, pk=user_id, is_active=True)
    friendship = services.send_friend_request(request.user, other)
    if friendship.status == Friendship.Status.ACCEPTED:
        messages.success(request, f"You and {other.username} are now friends.")
    else:
        messages.success(request, f"Friend request sent to {other.username}.")


@social_action("social:friends")
def respond_request(request, pk, accept):
    friendship = get_object_or_404(selectors.incoming_requests(request.user), pk=pk)
    if accept:
        services.accept_friend_request(friendship, request.user)
        messages.success(request, f"You and {friendship.from_user.username} are now friends.")
    else:
        services.decline_friend_request(friendship, request.user)
        messages.info(request, f"Declined {friendship.from_user.username}'s request.")


@social_action("social:friends")
def remove_friend(request, user_id):
    other = get_object_or_404(User, pk=user_id)
    if services.remove_friend(request.user, other):
        messages.info(request, f"{other.username} is no longer on your friends list.")


@social_action("social:friends")
def block(request, user_id):
    other = get_object_or_404(User, pk=user_id)
    services.block_user(request.user, other)
    messages.info(request, f"You blocked {other.username}.")


@social_action("social:friends")
def unblock(request, user_id):
    other = get_object_or_404(User, pk=user_id)
    services.unblock_user(request.user, other)
    messages.info(request, f"You unblocked {other.username}.")


# --- polls ----------------------------------------------------------------------------------


@login_required
def poll_list(request):
    polls = selectors.visible_polls(request.user)
    return render(
        request,
        "social/poll_list.html",
        {
            "own": polls.filter(owner=request.user),
            "invited": polls.exclude(owner=request.user),
        },
    )


@login_required
def poll_create(request):
    start = request.GET.get("listing")
    start_listing_id = int(start) if start and start.isdigit() else None
    form = PollForm(request.POST or None, user=request.user, start_listing_id=start_listing_id)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.create_poll(
                request.user,
                form.cleaned_data["question"],
                form.cleaned_data["listings"],
                form.cleaned_data["invitees"],
            )
        except services.SocialError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your question is up. Votes and comments appear live.")
            return redirect("social:poll", pk=poll.pk)
    return render(request, "social/poll_form.html", {"form": form})


def _poll_url(name: str, poll, token: str | None) -> str:
    """URL of a poll page/action, by share token for link holders, else by id."""
    if token is not None:
        return reverse(f"social:shared_{name}", args=[token])
    return reverse(f"social:{name}", args=[poll.pk])


def poll_detail(request, pk=None, token=None):
    """A poll by id (owner and invited friends) or by private link (anyone may look; voting
    and commenting need an account so that one vote per person holds)."""
    user = request.user
    if token is None and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    poll = selectors.get_poll(user, pk=pk, token=token)
    is_owner = user.is_authenticated and user.pk == poll.owner_id
    my_vote = selectors.vote_of(poll, user)
    page_url = _poll_url("poll", poll, token)
    return render(
        request,
        "social/poll_detail.html",
        {
            "poll": poll,
            "token": token,
            "is_owner": is_owner,
            "can_vote": user.is_authenticated and not poll.is_closed,
            "login_url": None
            if user.is_authenticated or poll.is_closed
            else f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page_url})}",
            "result": selectors.poll_result(poll),
            "my_vote_option_id": my_vote.option_id if my_vote else None,
            "comments": selectors.poll_comments(poll),
            "comment_form": CommentForm(),
            "invite_form": InviteForm(poll=poll) if is_owner and not poll.is_closed else None,
            "new_share_link": request.session.pop(f"social_share_link_{poll.pk}", None)
            if is_owner
            else None,
            "vote_url": _poll_url("poll_vote", poll, token),
            "comment_url": _poll_url("poll_comment", poll, token),
            "live_url": (
                reverse("api-social-shared-poll-detail", args=[token])
                if token
                else reverse("api-social-poll-detail", args=[poll.pk])
            ),
        },
    )


def _poll_action(view):
    """A logged-in POST on a poll reached by id or share token; back to the poll page after."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, pk=None, token=None):
        poll = selectors.get_poll(request.user, pk=pk, token=token)
        try:
            view(request, poll)
        except services.SocialError as error:
            messages.error(request, str(error))
        return redirect(_poll_url("poll", poll, token))

    return wrapper


@_poll_action
def poll_vote(request, poll):
    form = VoteForm(request.POST, poll=poll)
    if not form.is_valid():
        raise services.SocialError(" ".join(form.errors["option"]))
    services.cast_vote(poll, request.user, form.cleaned_data["option"])
    messages.success(request, "Your vote is in. You can change it until the question closes.")


@_poll_action
def poll_comment(request, poll):
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise services.SocialError(" ".join(form.errors["body"]))
    services.add_comment(poll, request.user, form.cleaned_data["body"])


@_poll_action
def poll_close(request, poll):
    services.close_poll(poll, request.user)
    messages.success(request, "Question closed. Here is what your friends picked.")


@_poll_action
def poll_invite(request, poll):
    form = InviteForm(request.POST, poll=poll)
    if not form.is_valid():
        raise services.SocialError("Pick friends to ask.")
    services.invite_to_poll(poll, request.user, form.cleaned_data["invitees"])
    messages.success(request, "Invitations sent.")


@_poll_action
def poll_share(request, poll):
    if request.POST.get("action") == "revoke":
        services.revoke_share_link(poll, request.user)
        messages.info(request, "The private link no longer works.")
        return
    token = services.create_share_link(poll, request.user)
    request.session[f"social_share_link_{poll.pk}"] = request.build_absolute_uri(
        reverse("social:shared_poll", args=[token])
    )


# --- notifications --------------------------------------------------------------------------


@login_required
def notifications(request):
    settings_row = getattr(request.user, "notification_settings", None)
    return render(
        request,
        "social/notifications.html",
        {
            "notifications": selectors.notifications_for(request.user)[:100],
            "email_enabled": settings_row.email_enabled if settings_row else True,
        },
    )


@social_action("social:notifications")
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_notification_read(request.user, notification)


@social_action("social:notifications")
def notifications_read_all(request):
    services.mark_all_notifications_read(request.user)


@social_action("social:notifications")
def notification_email(request):
    enabled = request.POST.get("enabled") == "1"
    services.set_email_notifications(request.user, enabled)
    messages.success(request, "E-mail notifications " + ("on." if enabled else "off."))
