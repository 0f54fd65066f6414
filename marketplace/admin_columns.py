"""Narrow changelist columns, so that the admin's tables fit a 1280-px window beside its
navigation and filter sidebars.

Django keeps a date-time or foreign-key column on one line ("Nov. 26, 2026, 7:08 a.m.", or a
listing's whole title), however wide that makes the table. These columns say the same in fewer
characters and may wrap; each sorts by its field and is named after it (the cells' class stays
`field-<name>`).
"""
from django.contrib import admin
from django.utils.text import Truncator
from django.utils.timezone import localtime


def day(field: str, description: str):
    """The day of a date-time field in the current time zone, as "2026-11-26"."""

    @admin.display(description=description, ordering=field)
    def column(obj) -> str:
        return localtime(getattr(obj, field)).date().isoformat()

    column.__name__ = field
    return column


def text(field: str, description: str, length: int = 40):
    """A text field, or the object a foreign key points at, cut to `length` characters; "-"
    when empty (a draft listing's title or category)."""

    @admin.display(description=description, ordering=field)
    def column(obj) -> str:
        value = getattr(obj, field)
        return Truncator(str(value)).chars(length) if value not in (None, "") else "-"

    column.__name__ = field
    return column
