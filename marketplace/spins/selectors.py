"""Reads for rotating views."""
from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from .models import Spin


def live_spin(listing) -> Spin | None:
    """The spin buyers see on the listing page (finished and published), if any."""
    return Spin.objects.filter(listing=listing, is_live=True, status=Spin.Status.DONE).first()


def seller_spins(listing) -> QuerySet[Spin]:
    return Spin.objects.filter(listing=listing).order_by("-created_at")


def viewer_data(spin: Spin) -> dict:
    """What the viewer and the API hand out: frames with URLs, without the seller's file names."""
    manifest = spin.manifest

    def url(path: str) -> str:
        return default_storage.url(spin.output_prefix + path)

    return {
        "frame_count": manifest["frame_count"],
        "loop_closed": manifest["loop_closed"],
        "frames": [{"index": frame["index"], "angle": frame["angle"],
                    "display": url(frame["display"]), "zoom": url(frame["zoom"])}
                   for frame in manifest["frames"]],
        "sprite": dict(manifest["sprite"], file=url(manifest["sprite"]["file"])),
        "display_size": manifest["display_size"],
        "zoom_size": manifest["zoom_size"],
    }
