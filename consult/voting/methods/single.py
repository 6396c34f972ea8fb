from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .base import (
    ID_SCHEMA,
    Counts,
    OptionLike,
    VotingMethod,
    map_field,
    object_schema,
    option_by_id,
    require_dict,
)


class SingleChoice(VotingMethod):
    """``{"option": ID}``: exactly one option; one result entry per option."""

    key = "single"
    label = _("Single choice")
    form_template = "consult/ballots/single.html"

    example = {"option": 12}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(option=ID_SCHEMA)

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        return map_field(body, "option", mapping)

    def clean(self, question: Any, body: Any, options: Sequence[OptionLike]) -> dict[str, Any]:
        option = option_by_id(require_dict(body, "option"), options)
        return {"option": option.pk}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {str(content["option"]): (1, 0)}

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        return {"option": data.get(f"{prefix}option")} if data.get(f"{prefix}option") else {}
