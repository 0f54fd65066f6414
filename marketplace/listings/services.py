"""Writes: every change to a listing goes through one of these functions."""
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Category, Listing

EDITABLE_FIELDS = ("title", "description", "price", "currency", "category", "condition", "location")
# What buyers need, so what a listing for sale or sold must have; a draft may lack it (the
# model's "listing_complete_unless_draft" constraint holds the same rule in the database).
REQUIRED_TO_PUBLISH = {"title": "Give your listing a title.",
                       "category": "Choose a category.",
                       "price": "Enter a price."}


def check_publishable(listing: Listing) -> None:
    """Raise a ValidationError naming each required field the listing lacks."""
    missing = {name: message for name, message in REQUIRED_TO_PUBLISH.items()
               if getattr(listing, name) in (None, "")}
    if missing:
        raise ValidationError(missing, code="required")


def _clean(listing: Listing) -> None:
    if listing.status in (Listing.Status.ACTIVE, Listing.Status.SOLD):
        check_publishable(listing)
    listing.full_clean()


def create_listing(seller, **fields) -> Listing:
    """A new active listing; `fields` are the EDITABLE_FIELDS."""
    listing = Listing(seller=seller, **fields)
    _clean(listing)
    listing.save()
    return listing


def create_draft(seller) -> Listing:
    """An empty draft, the start of a listing from photos: its photos' suggestions fill it in
    and `publish_listing` makes it public."""
    listing = Listing(seller=seller, status=Listing.Status.DRAFT)
    _clean(listing)
    listing.save()
    return listing


def _set_fields(listing: Listing, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(listing, name, value)


def update_listing(listing: Listing, **fields) -> Listing:
    """Change the editable fields given; status and moderation are changed elsewhere. A draft
    stays a draft (`publish_listing` publishes it)."""
    _set_fields(listing, fields)
    _clean(listing)
    listing.save(update_fields=[*fields, "updated_at"])
    return listing


def _lock_draft(listing: Listing, message: str) -> None:
    """Read the listing's status again under a row lock, as `mark_sold` does (`listing` may be
    stale: published or removed in another tab meanwhile); ValidationError unless a draft."""
    _lock_status(listing)
    if not listing.is_draft:
        raise ValidationError(message, code="not_draft")


def update_draft(listing: Listing, **fields) -> Listing:
    """Save a draft's editable `fields` as the seller left them, complete or not: it stays a
    draft. Raises ValidationError for an invalid value (then nothing is saved) or when the
    listing is no draft (any more)."""
    with transaction.atomic():
        _lock_draft(listing, "Only a draft can be saved for later.")
        return update_listing(listing, **fields)


def publish_listing(listing: Listing, **fields) -> Listing:
    """Set the editable `fields` of a draft and put it up for sale. Raises ValidationError,
    per field, when a required one is missing, or when the listing is no draft (any more)."""
    with transaction.atomic():
        _lock_draft(listing, "Only a draft can be published.")
        _set_fields(listing, fields)
        check_publishable(listing)
        listing.full_clean()  # still a draft here: the caller shows it again if this fails
        listing.status = Listing.Status.ACTIVE
        # Only what publishing changes: `listing` may be stale (hidden by a moderator meanwhile).
        listing.save(update_fields=[*fields, "status", "updated_at"])
        return listing


def _lock_status(listing: Listing) -> None:
    """Read the listing's status again, locking its row until the transaction ends."""
    listing.status = (Listing.objects.select_for_update(no_key=True)
                      .values_list("status", flat=True).get(pk=listing.pk))


def _set_status(listing: Listing, status: Listing.Status) -> Listing:
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    return listing


def mark_sold(listing: Listing) -> Listing:
    """Sold listings leave browse but keep their page (with a "Sold" badge). The status is read
    again under a row lock: `listing` may be stale (removed in another tab meanwhile)."""
    with transaction.atomic():
        _lock_status(listing)
        if listing.status != Listing.Status.ACTIVE:
            raise ValidationError("Only a listing that is for sale can be marked as sold.",
                                  code="not_for_sale")
        return _set_status(listing, Listing.Status.SOLD)


def remove_listing(listing: Listing) -> Listing:
    """Soft delete: the row stays so saved lists, polls and photos that point at it still work.
    Allowed from any status, so it needs no check (a concurrent `mark_sold` waits or refuses)."""
    return _set_status(listing, Listing.Status.REMOVED)


@transaction.atomic
def hide_listings(listings, reason: str) -> int:
    """Moderation: take listings off the site whatever their status; returns how many changed."""
    return Listing.objects.filter(pk__in=[item.pk for item in listings]).update(
        is_hidden=True, hidden_reason=reason[:200])


@transaction.atomic
def restore_listings(listings) -> int:
    """Moderation: undo `hide_listings`."""
    return Listing.objects.filter(pk__in=[item.pk for item in listings]).update(
        is_hidden=False, hidden_reason="")


def sync_categories(category_model=Category) -> None:
    """Make the Category table match `vision.taxonomy` (idempotent: update_or_create by slug).

    Used by the seeding migration (which passes its historical model) and by tests whose
    transactional database flush removed the seeded rows.
    """
    from vision.taxonomy import walk

    by_slug = {}
    positions: dict[str | None, int] = {}
    for node, parent in walk():
        parent_slug = parent.slug if parent else None
        position = positions.get(parent_slug, 0)
        positions[parent_slug] = position + 1
        by_slug[node.slug], _ = category_model.objects.update_or_create(
            slug=node.slug,
            defaults={"name": node.name, "parent": by_slug.get(parent_slug), "position": position},
        )
