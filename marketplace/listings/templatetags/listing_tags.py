from django import template

from marketplace.listings.models import Listing

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def price(listing: Listing) -> str:
    """`€12.50`, `$8.00`, or `120.00 SEK` for currencies without a common symbol."""
    amount = f"{listing.price:,.2f}"
    symbol = SYMBOLS.get(listing.currency)
    return f"{symbol}{amount}" if symbol else f"{amount} {listing.currency}"
