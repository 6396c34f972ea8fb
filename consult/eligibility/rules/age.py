"""``minimum_age``: old enough, from a census entry's birth year or an eID's birth date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consult.eligibility import normalise
from consult.eligibility.base import Check, EligibilityRule, Unmet
from consult.eligibility.fields import SHIPPED
from consult.eligibility.rules.census import claims
from consult.eligibility.rules.identity import identity_claims
from consult.eligibility.rules.links import claim_url


def birth_years(check: Check) -> list[int]:
    years = [claim["birth_year"] for claim in claims(check) if claim["birth_year"]]
    for provider_claims in identity_claims(check).values():
        value = provider_claims.get("birthdate")
        if value:
            try:
                years.append(normalise.birth_date(str(value)).year)
            except ValueError:
                continue
    return years


def reference_year(page) -> int:
    """Ages count as reached in the year voting closes (or now, without a close)."""
    closes = page.voting_close_at
    return closes.year if closes else timezone.now().year


class MinimumAge(EligibilityRule):
    key = "minimum_age"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        years = int(config.get("years") or 0)
        known = birth_years(check)
        if known and reference_year(check.page) - max(known) >= years:
            return None
        if known:
            return Unmet(
                self.key,
                format_lazy(_("You must be at least {years} years old to take part."), years=years),
            )
        return Unmet(
            self.key,
            format_lazy(
                _(
                    "You must be at least {years} years old. Confirm your age with the census "
                    "or your eID first."
                ),
                years=years,
            ),
            claim_url(check.page),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(
            format_lazy(
                _("people aged {years} or more (in the year voting closes)"),
                years=config.get("years"),
            )
        )
