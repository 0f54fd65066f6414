"""The seller's photo manager. Works without JavaScript; photos.js adds drag and drop,
upload progress, live processing state and drag reordering on top (through the API)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marketplace.listings.selectors import listing_for_seller

from . import services
from .forms import PhotoUploadForm
from .uploads import photo_upload_view, upload_refusal

MOVES = {"up": -1, "down": 1}


def bound_upload_form(request) -> PhotoUploadForm:
    form = PhotoUploadForm(request.POST, request.FILES)
    if refusal := upload_refusal(request):
        form.add_error("images", refusal)
    return form


@login_required
@photo_upload_view
def start(request):
    """Where "Sell" leads: the seller starts with photos (a draft that the photos' suggestions
    fill in), or follows the link to describe the item first (`listings:create`)."""
    form = PhotoUploadForm()
    if request.method == "POST":
        form = bound_upload_form(request)
        if form.is_valid():
            try:
                listing = services.start_listing(request.user, form.cleaned_data["images"])
            except ValidationError as error:
                form.add_error("images", error)
            else:
                return redirect("photos:manage", listing.pk)
    return render(request, "photos/start.html",
                  {"form": form, "limit": settings.PHOTOS_PER_LISTING},
                  status=400 if form.errors else 200)


@login_required
@photo_upload_view
def manage(request, listing_pk: int):
    listing = listing_for_seller(request.user, listing_pk)
    form = PhotoUploadForm()
    if request.method == "POST":
        form = bound_upload_form(request)
        if form.is_valid():
            try:
                photos = services.add_photos(listing, form.cleaned_data["images"],
                                             user=request.user)
            except ValidationError as error:
                form.add_error("images", error)
            else:
                messages.success(request, f"{len(photos)} photo(s) uploaded; they are being "
                                          "prepared and appear on the listing when ready.")
                return redirect("photos:manage", listing.pk)
    return render_manage(request, listing, form=form)


def render_manage(request, listing, *, form=None, draft_form=None):
    """The photo page; for a draft also the page where it is finished and published
    (`draft_form`: the seller's form with its errors, else one filled in from suggestions)."""
    form = form or PhotoUploadForm()
    photos = list(listing.photos.all())
    context = {"listing": listing, "photos": photos, "form": form, "draft_form": draft_form,
               "limit": settings.PHOTOS_PER_LISTING,
               "room": max(settings.PHOTOS_PER_LISTING - len(photos), 0)}
    failed = form.errors or (draft_form is not None and draft_form.errors)
    return render(request, "photos/manage.html", context, status=400 if failed else 200)


@login_required
@require_POST
def move(request, listing_pk: int, photo_pk: int, direction: str):
    listing = listing_for_seller(request.user, listing_pk)
    if direction not in MOVES:
        raise Http404
    photo = get_object_or_404(listing.photos, pk=photo_pk)
    try:
        services.move_photo(photo, MOVES[direction], user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(reverse("photos:manage", args=[listing.pk]) + f"#photo-{photo.pk}")


@login_required
def delete(request, listing_pk: int, photo_pk: int):
    """GET asks for confirmation (the no-JavaScript path), POST deletes."""
    listing = listing_for_seller(request.user, listing_pk)
    photo = get_object_or_404(listing.photos, pk=photo_pk)
    if request.method == "POST":
        services.delete_photo(photo, user=request.user)
        messages.success(request, "Photo deleted.")
        return redirect("photos:manage", listing.pk)
    return render(request, "photos/confirm_delete.html", {"listing": listing, "photo": photo})
