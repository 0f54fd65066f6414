"""Listing pages. Reads come from `selectors`, writes go through `services`."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .filters import ListingFilter
from .forms import ListingForm
from .models import Listing

PAGE_SIZE = 24


def browse(request):
    filterset = ListingFilter(request.GET, queryset=selectors.browse_listings())
    listings = filterset.qs if filterset.is_valid() else Listing.objects.none()
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listings/browse.html", {
        "filter": filterset, "page": page, "verticals": selectors.category_roots()})


def detail(request, pk: int):
    listing = selectors.listing_for_viewer(request.user, pk)
    photos = listing.ready_photos
    selected = next((p for p in photos if str(p.pk) == request.GET.get("photo")), None)
    return render(request, "listings/detail.html", {
        "listing": listing,
        "photos": photos,
        "photo": selected or (photos[0] if photos else None),
        "is_seller": selectors.is_seller(listing, request.user),
    })


@login_required
def create(request):
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listing = services.create_listing(request.user, **form.cleaned_data)
        messages.success(request, "Listing created. Now add some photos.")
        return redirect("photos:manage", listing.pk)
    return render(request, "listings/form.html", {"form": form})


@login_required
def edit(request, pk: int):
    listing = selectors.listing_for_seller(request.user, pk)
    if listing.is_draft:  # finished and published on its photo page
        return redirect("photos:manage", listing.pk)
    form = ListingForm(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        services.update_listing(listing, **{name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, "Listing saved.")
        return redirect(listing)
    return render(request, "listings/form.html", {"form": form, "listing": listing})


@login_required
def mine(request):
    listings = selectors.listings_for_seller(request.user)
    return render(request, "listings/mine.html", {"listings": listings})


@require_POST
@login_required
def mark_sold(request, pk: int):
    listing = selectors.listing_for_seller(request.user, pk)
    try:
        services.mark_sold(listing)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{listing.title}” is marked as sold.")
    return redirect(listing)


@login_required
def delete(request, pk: int):
    listing = selectors.listing_for_seller(request.user, pk)
    if request.method == "POST":
        services.remove_listing(listing)
        messages.success(request, f"“{listing}” was removed from the site.")
        return redirect("listings:mine")
    return render(request, "listings/confirm_delete.html", {"listing": listing})
