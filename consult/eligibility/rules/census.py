"""``census``: the person claimed an entry of a named census (optionally in some postcodes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consult.eligibility import normalise
from consult.eligibility.base import Check, EligibilityRule, Unmet, list_values
from consult.eligibility.fields import SHIPPED
from consult.eligibility.rules.links import claim_url
from consult.models import CensusEntry


def claims(check: Check) -> list[dict[str, Any]]:
    """The census entries the user holds: census name, postcode, birth year."""
    return check.remember(
        "census_claims",
        lambda: list(
            CensusEntry.objects.filter(claimed_by=check.user).values(
                "census__name", "postcode", "birth_year"
            )
        ),
    )


def postcodes(config: Mapping[str, Any]) -> set[str]:
    return {normalise.postcode(str(code)) for code in list_values(config.get("postcodes")) if code}


class CensusRule(EligibilityRule):
    key = "census"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        name = config.get("census")
        held = [claim for claim in claims(check) if claim["census__name"] == name]
        wanted = postcodes(config)
        if held and (not wanted or any(claim["postcode"] in wanted for claim in held)):
            return None
        if held:
            return Unmet(
                self.key,
                _(
                    "This consultation is for residents of certain districts only, and the "
                    "census lists you elsewhere."
                ),
            )
        return Unmet(
            self.key,
            _(
                "Confirm that you are listed in the census: enter your identifier and "
                "birth date once."
            ),
            claim_url(check.page),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        wanted = sorted(postcodes(config))
        if wanted:
            return str(
                format_lazy(
                    _("people listed in the census with a postcode of {postcodes}"),
                    postcodes=", ".join(wanted),
                )
            )
        return str(_("people listed in the census"))
