"""Where a person goes to meet a rule."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def url(name: str, *args) -> str | None:
    """The URL named ``name``, or None where the site does not serve it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def claim_url(page) -> str | None:
    return url("consult:eligibility", page.pk)
