"""Web pages of the search app: one search page (text and photo), analysis progress and the
seller's answers to suggestions."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.listings.selectors import listing_for_seller
from marketplace.photos.uploads import photo_upload_view, upload_refusal
from marketplace.photos.views import render_manage

from . import selectors, services
from .forms import DraftListingForm, PhotoSearchForm, SuggestionAnswerForm, TextSearchForm
from .query_image import InvalidImage
from .throttles import photo_search_wait

RESULTS_PER_PAGE = 48
PHOTO_FORM_IDS = "photo_%s"


@require_http_methods(["GET", "POST"])
@photo_upload_view
def search(request):
    """GET ?q=… searches text; POST with a photo searches by image. Filters apply to both."""
    # The two forms share filter fields: the photo form's ids get a prefix of their own.
    context = {"text_form": TextSearchForm(request.GET or None),
               "photo_form": PhotoSearchForm(auto_id=PHOTO_FORM_IDS)}
    status = 200
    if request.method == "POST":
        wait = photo_search_wait(request)
        if wait is not None:
            response = render(request, "search/search.html", {**context, "retry_after": wait},
                              status=429)
            response["Retry-After"] = str(wait)
            return response
        form = PhotoSearchForm(request.POST, request.FILES, auto_id=PHOTO_FORM_IDS)
        context["photo_form"] = form
        if refusal := upload_refusal(request):  # known once request.POST has been read
            form.add_error("image", refusal)
        if form.is_valid():
            try:
                context["photo_search"] = selectors.search_by_photo(
                    form.cleaned_data["image"], form.filters())
            except InvalidImage as error:
                form.add_error("image", str(error))
            except selectors.SearchUnavailable as error:
                form.add_error(None, str(error))
                status = 503
        if form.errors and status == 200:
            status = 400
    elif context["text_form"].is_bound:
        form = context["text_form"]
        if not form.is_valid():
            status = 400  # the page shows what is wrong next to the field
        elif form.cleaned_data["q"]:
            results = selectors.text_search(form.cleaned_data["q"], form.filters())
            page = list(results[:RESULTS_PER_PAGE])
            context["listings"] = page
            # Counting runs the whole search again: only needed when the page is full.
            context["result_count"] = (len(page) if len(page) < RESULTS_PER_PAGE
                                       else results.count())
    return render(request, "search/search.html", context, status=status)


@login_required
@require_GET
def analysis_status(request, pk: int):
    """Progress of the model on a listing's photos, and the suggestions panel re-rendered."""
    listing = listing_for_seller(request.user, pk)
    html = render_to_string("partials/listing_form_suggestions.html",
                            {"listing": listing}, request=request)
    return JsonResponse({**selectors.analysis_progress(listing), "html": html})


@login_required
@require_POST
def answer_suggestion(request, pk: int):
    """The seller accepts (or edits, then accepts) one suggested value; back to their page."""
    listing = listing_for_seller(request.user, pk)
    form = SuggestionAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError("Enter a value before accepting the suggestion.")
        field = form.cleaned_data["field"]
        services.answer_suggestion(listing, request.user, field, form.cleaned_data["value"])
        messages.success(request, f"Saved the {field} of your listing.")
    except ValueError as error:
        messages.error(request, str(error))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("listings:edit", listing.pk)


def post_draft_form(request, pk: int, *, publishing: bool, done):
    """A draft's form sent from its photo page, to publish it or to save it for later:
    `done(listing, form)`, with the form valid, writes and answers where to go, or raises
    ValidationError; otherwise the same page again with the seller's values and the errors.
    A listing published or removed meanwhile (a double click, another tab) leads to its page."""
    listing = listing_for_seller(request.user, pk)
    if not listing.is_draft:
        return no_draft_any_more(request, listing)
    suggestions = selectors.unanswered(listing, selectors.listing_suggestions(listing))
    form = DraftListingForm(request.POST, instance=listing, suggestions=suggestions,
                            publishing=publishing)
    if form.is_valid():
        try:
            return done(listing, form)
        except ValidationError as error:
            if not listing.is_draft:  # its status, read again under a row lock, says why
                return no_draft_any_more(request, listing)
            form.add_error(None, error)
    return render_manage(request, listing, draft_form=form)


def no_draft_any_more(request, listing):
    messages.info(request, "This listing is no draft any more.")
    return redirect(listing)


@login_required
@require_POST
def publish_draft(request, pk: int):
    """Publish a draft from its photo page with the seller's details and answers."""
    def publish(listing, form):
        services.publish_draft(listing, request.user, form.listing_fields(), form.answers())
        messages.success(request, f"“{listing}” is published: buyers can find it now.")
        return redirect(listing)

    return post_draft_form(request, pk, publishing=True, done=publish)


@login_required
@require_POST
def save_draft(request, pk: int):
    """Keep what the seller typed in a draft's form for later ("Save draft"; the photo page's
    script also sends it before it reloads), without publishing it."""
    def save(listing, form):
        services.save_draft(listing, request.user, form.fields_to_save(), form.tags_to_save())
        messages.success(request, "Draft saved.")
        return redirect("photos:manage", listing.pk)

    return post_draft_form(request, pk, publishing=False, done=save)
