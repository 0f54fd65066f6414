"""Seller pages (capture, progress, preview, publish) and the status endpoint they poll."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from marketplace.listings.models import Listing

from . import selectors, services
from .forms import CaptureForm
from .models import Spin


def own_listing(request, listing_id: int) -> Listing:
    """The listing if the user sells it; 404 otherwise (no hint that it exists)."""
    return get_object_or_404(Listing, pk=listing_id, seller=request.user)


def own_spin(request, spin_id: int) -> Spin:
    return get_object_or_404(Spin.objects.select_related("listing"), pk=spin_id,
                             listing__seller=request.user)


def status_payload(spin: Spin) -> dict:
    return {"id": spin.pk, "status": spin.status, "status_label": spin.get_status_display(),
            "progress": spin.progress, "stage": spin.stage,
            "failure_reason": spin.failure_reason, "is_live": spin.is_live}


@csrf_exempt  # the size is checked before CSRF reads (and stores) the body; then CSRF applies
def capture(request, listing_id: int):
    """Upload a video or a photo burst for a listing, and follow the spins already made."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and length > settings.SPIN_UPLOAD_MAX_BYTES + 2**20:
        return render(request, "spins/too_large.html", {
            "limit_mb": settings.SPIN_UPLOAD_MAX_BYTES // 2**20}, status=413)
    return capture_checked(request, listing_id)


@csrf_protect
@login_required
def capture_checked(request, listing_id: int):
    listing = own_listing(request, listing_id)
    form = CaptureForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_spin(listing=listing, user=request.user,
                                     video=form.cleaned_data["video"],
                                     photos=form.cleaned_data["photos"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # capture.js removes this banner once the spin has finished or failed.
                messages.success(request, "Capture received: stitching has started.",
                                 extra_tags="spin-started")
                return redirect("spins:capture", listing_id=listing.pk)
        status = 400
    return render(request, "spins/capture.html", {
        "listing": listing, "form": form, "spins": selectors.seller_spins(listing),
        "live": selectors.live_spin(listing)}, status=status)


@require_GET
@login_required
def status(request, spin_id: int):
    return JsonResponse(status_payload(own_spin(request, spin_id)))


@require_GET
@login_required
def preview(request, spin_id: int):
    spin = own_spin(request, spin_id)
    if spin.status != Spin.Status.DONE:
        raise Http404("This spin is not finished.")
    return render(request, "spins/preview.html", {
        "spin": spin, "listing": spin.listing, "viewer": selectors.viewer_data(spin)})


@require_POST
@login_required
def publish(request, spin_id: int):
    spin = own_spin(request, spin_id)
    try:
        services.publish_spin(spin, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("spins:capture", listing_id=spin.listing_id)
    messages.success(request, "The rotating view is live on your listing.")
    return redirect(spin.listing)  # where buyers now see it
