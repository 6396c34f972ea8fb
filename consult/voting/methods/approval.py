from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from consult.exceptions import InvalidBallot

from .base import (
    IDS_SCHEMA,
    Counts,
    OptionLike,
    QuestionLike,
    VotingMethod,
    distinct_options,
    in_option_order,
    map_field,
    object_schema,
    require_dict,
)


class Approval(VotingMethod):
    """``{"options": [ID, ...]}``: distinct options, between ``min_choices``
    and ``max_choices`` of them; one result entry per option."""

    key = "approval"
    label = _("Approval (choose several)")
    form_template = "consult/ballots/approval.html"

    def config_errors(self, config: Mapping[str, Any], option_count: int) -> list[str | Promise]:
        errors = super().config_errors(config, option_count)
        low, high = config.get("min_choices"), config.get("max_choices")
        if low is not None and high is not None and low > high:
            errors.append(_("The minimum number of choices cannot be above the maximum."))
        if low is not None and low > option_count:
            errors.append(
                _("Voters must choose at least %(low)d options, but there are only %(count)d.")
                % {"low": low, "count": option_count}
            )
        return errors

    example = {"options": [12, 14]}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(options=IDS_SCHEMA)

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        return map_field(body, "options", mapping)

    def clean(
        self, question: QuestionLike, body: Any, options: Sequence[OptionLike]
    ) -> dict[str, Any]:
        chosen = distinct_options(require_dict(body, "options"), options, "options")
        check_bounds(len(chosen), question.min_choices, question.max_choices)
        return {"options": in_option_order(chosen, options)}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {str(pk): (1, 0) for pk in content["options"]}

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        # Always a body, even empty: with ``min_choices`` 0, approving of
        # nothing is a ballot, and otherwise ``clean`` says how many to pick.
        return {"options": data.getlist(f"{prefix}options")}


def check_bounds(count: int, low: int, high: int | None) -> None:
    if count < low:
        raise InvalidBallot(
            ngettext_lazy(
                "Choose at least %(count)d option.", "Choose at least %(count)d options.", "count"
            )
            % {"count": low}
        )
    if high is not None and count > high:
        raise InvalidBallot(
            ngettext_lazy(
                "Choose at most %(count)d option.", "Choose at most %(count)d options.", "count"
            )
            % {"count": high}
        )
