"""``voting_code``: signed in with a voting code from a letter for this consultation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from consult.eligibility.base import Check, EligibilityRule, Unmet
from consult.eligibility.codes import participant_page
from consult.eligibility.fields import SHIPPED
from consult.eligibility.rules.links import url


class VotingCodeRule(EligibilityRule):
    key = "voting_code"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        bound = check.remember("participant_page", lambda: participant_page(check.user))
        if bound is not None and bound == str(check.page.translation_key):
            return None
        return Unmet(
            self.key,
            _("Sign in with the voting code from the letter you received."),
            url("consult:code-login", check.page.pk),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(_("holders of a voting code sent by letter"))
