"""A voting method defined outside the package, as a site would add one
through ``CONSULT["VOTING_METHODS"]``: a thumb up or down on a question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from consult.exceptions import InvalidBallot
from consult.voting.methods.base import Counts, OptionLike, VotingMethod, object_schema

THUMBS = ("up", "down")


class Thumbs(VotingMethod):
    key = "thumbs"
    label = "Thumb up or down"
    uses_options = False
    min_options = 0
    form_template = "tests/thumbs.html"
    example = {"thumb": "up"}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(thumb={"type": "string", "enum": list(THUMBS)})

    def clean(self, question: Any, body: Any, options: Sequence[OptionLike]) -> dict[str, Any]:
        if not isinstance(body, Mapping) or body.get("thumb") not in THUMBS:
            raise InvalidBallot("“thumb” must be “up” or “down”.")
        return {"thumb": body["thumb"]}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {content["thumb"]: (1, 0)}

    def results(self, question, options, counts) -> dict[str, Any]:
        return {
            "results": [
                {"key": key, "label": key, "votes": counts.get(key, (0, 0))[0]} for key in THUMBS
            ]
        }

    def body_from_form(self, data, prefix: str) -> Any:
        return {"thumb": data.get(f"{prefix}thumb")} if data.get(f"{prefix}thumb") else {}
