from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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
    option_entries,
    require_dict,
)


class Budget(VotingMethod):
    """``{"options": [ID, ...]}``: distinct options whose ``cost`` adds up to
    at most the question's ``budget``. Each result entry adds ``cost`` and
    ``funded`` (see ``funded_keys``)."""

    key = "budget"
    label = _("Participatory budget")
    form_template = "consult/ballots/budget.html"

    def config_errors(self, config: Mapping[str, Any], option_count: int) -> list[str | Promise]:
        errors = super().config_errors(config, option_count)
        if config.get("budget") is None:
            errors.append(_("A participatory budget question needs a budget."))
        return errors

    example = {"options": [12, 13]}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(options=IDS_SCHEMA)

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        return map_field(body, "options", mapping)

    def clean(
        self, question: QuestionLike, body: Any, options: Sequence[OptionLike]
    ) -> dict[str, Any]:
        if question.budget is None:
            raise InvalidBallot(_("This question has no budget yet, so it cannot take ballots."))
        chosen = distinct_options(require_dict(body, "options"), options, "options")
        total = sum(option.cost for option in chosen)
        if total > question.budget:
            raise InvalidBallot(
                _("Your choices cost %(total)d in all, more than the budget of %(budget)d.")
                % {"total": total, "budget": question.budget}
            )
        return {"options": in_option_order(chosen, options)}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {str(pk): (1, 0) for pk in content["options"]}

    def results(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        counts: Mapping[str, tuple[int, int]],
    ) -> dict[str, Any]:
        funded = funded_keys(question.budget, options, counts)
        entries = option_entries(options, counts)
        for entry, option in zip(entries, options, strict=True):
            entry.update(cost=option.cost, funded=entry["key"] in funded)
        return {"results": entries}

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        # Nothing ticked is no ballot, as for the other methods' forms (an API
        # client may still send an empty list: it funds nothing).
        chosen = data.getlist(f"{prefix}options")
        return {"options": chosen} if chosen else {}


def funded_keys(
    budget: int | None, options: Sequence[OptionLike], counts: Mapping[str, tuple[int, int]]
) -> set[str]:
    """Walk the options by votes (most first; ties: lower cost, then option
    order) and fund each that still fits in what is left of ``budget``.

    An option nobody chose is never funded, however much budget is left.
    """
    if budget is None:
        return set()
    votes = {str(option.pk): counts.get(str(option.pk), (0, 0))[0] for option in options}
    queue = sorted(
        (option for option in options if votes[str(option.pk)] > 0),
        key=lambda option: (-votes[str(option.pk)], option.cost),
    )  # sorted() is stable: equal votes and cost keep the option order
    funded: set[str] = set()
    remaining = budget
    for option in queue:
        if option.cost <= remaining:
            funded.add(str(option.pk))
            remaining -= option.cost
    return funded
