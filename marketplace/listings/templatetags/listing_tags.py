from django import template

from marketplace.listings.models import Listing

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.simple_tag
def money(amount, currency: str) -> str:
    """`€12.50`, `$8.00`, or `120.00 SEK` for currencies without a common symbol."""
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


@register.filter
def price(listing: Listing) -> str:
    """A listing's price as `money` writes it (a draft may have none yet)."""
    if listing.price is None:
        return "No price yet"
    return money(listing.price, listing.currency)
