from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consult.exceptions import InvalidBallot

from .base import (
    Counts,
    OptionLike,
    VotingMethod,
    object_schema,
    require_dict,
)

CHOICES = {
    "yes": pgettext_lazy("ballot choice", "Yes"),
    "no": pgettext_lazy("ballot choice", "No"),
    "abstain": pgettext_lazy("ballot choice", "Abstain"),
}


class YesNo(VotingMethod):
    """``{"choice": "yes" | "no" | "abstain"}``; results ``yes``, ``no``, ``abstain``."""

    key = "yes_no"
    label = _("Yes / no")
    uses_options = False
    min_options = 0
    form_template = "consult/ballots/yes_no.html"

    example = {"choice": "yes"}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(choice={"type": "string", "enum": ["yes", "no", "abstain"]})

    def clean(self, question: Any, body: Any, options: Sequence[OptionLike]) -> dict[str, Any]:
        choice = require_dict(body, "choice")
        if not isinstance(choice, str) or choice not in CHOICES:
            raise InvalidBallot(_("“choice” must be “yes”, “no” or “abstain”."))
        return {"choice": choice}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {content["choice"]: (1, 0)}

    def results(self, question, options, counts) -> dict[str, Any]:
        return {
            "results": [
                {"key": key, "label": str(label), "votes": counts.get(key, (0, 0))[0]}
                for key, label in CHOICES.items()
            ]
        }

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        return {"choice": data.get(f"{prefix}choice")} if data.get(f"{prefix}choice") else {}

    def choices(self) -> list[tuple[str, str]]:
        return [(key, str(label)) for key, label in CHOICES.items()]
