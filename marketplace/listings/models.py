from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse


class Category(models.Model):
    """A node of the site's taxonomy; roots are verticals (fashion, home & decor, vehicles…)."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def descendant_ids(self) -> list[int]:
        """This category's id and those of every category below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids += frontier
        return ids


class Listing(models.Model):
    class Status(models.TextChoices):
        # Started from photos: never public, and may lack a title, a category and a price
        # until the seller publishes it (see the "listing_complete_unless_draft" constraint).
        # Removing one (the soft delete) keeps it as it is.
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        SOLD = "sold", "Sold"
        REMOVED = "removed", "Removed by seller"

    class Condition(models.TextChoices):
        NEW = "new", "New"
        LIKE_NEW = "like_new", "Like new"
        GOOD = "good", "Good"
        FAIR = "fair", "Fair"
        FOR_PARTS = "for_parts", "For parts"

    class Currency(models.TextChoices):
        EUR = "EUR", "€ EUR"
        USD = "USD", "$ USD"
        GBP = "GBP", "£ GBP"
        CHF = "CHF", "CHF"
        SEK = "SEK", "SEK"
        PLN = "PLN", "PLN"

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="listings", on_delete=models.CASCADE)
    title = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    category = models.ForeignKey(
        Category, related_name="listings", null=True, blank=True, on_delete=models.PROTECT)
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GOOD)
    location = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # Moderation is separate from the seller's status: a hidden listing keeps its status.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "is_hidden", "-created_at"]),
            models.Index(fields=["category", "price"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="listing_price_not_negative"),
            # What buyers see (active or sold) has what they need; a draft may lack it, and so
            # may a draft its seller removed (services.check_publishable names the field).
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "removed"]) | (
                    models.Q(category__isnull=False, price__isnull=False) & ~models.Q(title="")),
                name="listing_complete_unless_draft",
                violation_error_message="A listing for sale or sold needs a title, a category "
                                        "and a price."),
        ]

    def __str__(self) -> str:
        return self.title or "Untitled draft"

    def get_absolute_url(self) -> str:
        return reverse("listings:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        """Shown to buyers: browse, search, detail pages for anyone but the seller. Never a
        draft, a removed or a hidden listing (`selectors.PUBLIC` is the same rule in SQL)."""
        return self.status in (self.Status.ACTIVE, self.Status.SOLD) and not self.is_hidden

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
