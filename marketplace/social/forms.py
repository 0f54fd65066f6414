from django import forms
from django.contrib.auth import get_user_model

from marketplace.listings.selectors import listings_for_sale

from . import selectors
from .models import Comment, Poll

User = get_user_model()


class PollForm(forms.Form):
    """New "ask friends" question: listings come from the user's saved list (plus the listing
    they started from), friends from their accepted friends."""

    question = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Which of these for the wedding?"}),
    )
    listings = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Pick 1 to {Poll.MAX_OPTIONS}.",
    )
    invitees = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Ask friends",
        help_text="You can also make a private link after creating the question.",
    )

    def __init__(self, *args, user, start_listing_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        candidate_ids = selectors.saved_listing_ids(user) | (
            {start_listing_id} if start_listing_id else set()
        )
        self.fields["listings"].queryset = listings_for_sale().filter(pk__in=candidate_ids)
        self.fields["invitees"].queryset = selectors.friends_of(user)
        if start_listing_id:
            self.fields["listings"].initial = [start_listing_id]

    def clean_listings(self):
        listings = self.cleaned_data["listings"]
        if not 1 <= len(listings) <= Poll.MAX_OPTIONS:
            raise forms.ValidationError(f"Pick between 1 and {Poll.MAX_OPTIONS} listings.")
        return listings


class InviteForm(forms.Form):
    invitees = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Ask more friends"
    )

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = selectors.friends_of(poll.owner).exclude(
            pk__in=poll.invites.values("user_id")
        )


class VoteForm(forms.Form):
    option = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "Pick one of the options.",
            "invalid_choice": "Pick one of the options.",
        },
    )

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = poll.options.all()


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=Comment.MAX_LENGTH,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What do you think?"}),
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(max_length=150, required=False, label="Find people by username")
