from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from consult.exceptions import InvalidBallot

from .base import (
    IDS_SCHEMA,
    Counts,
    OptionLike,
    QuestionLike,
    VotingMethod,
    distinct_options,
    map_field,
    object_schema,
    require_dict,
)
from .irv import instant_runoff


class Ranked(VotingMethod):
    """``{"ranking": [ID, ...]}``, favourite first: distinct options, at least
    one. Result entries count first preferences; ``rounds`` and ``winner``
    come from an instant-runoff count (``irv``) of the stored ballots."""

    key = "ranked"
    label = _("Ranked choice (instant runoff)")
    form_template = "consult/ballots/ranked.html"
    needs_ballots = True

    example = {"ranking": [14, 12, 13]}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(ranking={**IDS_SCHEMA, "minItems": 1})

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        return map_field(body, "ranking", mapping)

    def clean(
        self, question: QuestionLike, body: Any, options: Sequence[OptionLike]
    ) -> dict[str, Any]:
        ranking = require_dict(body, "ranking")
        if isinstance(ranking, list):
            # A list at one rank is how the page form reports two options
            # given the same rank. Past len(options) + 1 items the list is
            # refused below anyway, so a huge one is not walked.
            for rank, value in enumerate(ranking[: len(options) + 1], 1):
                if isinstance(value, list) and len(value) > 1:
                    raise InvalidBallot(
                        _("Rank %(rank)d is given to more than one option.") % {"rank": rank}
                    )
        chosen = distinct_options(ranking, options, "ranking")
        if not chosen:
            raise InvalidBallot(_("Rank at least one option."))
        return {"ranking": [option.pk for option in chosen]}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {str(content["ranking"][0]): (1, 0)}

    def ballot_results(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        contents: Iterable[Mapping[str, Any]],
    ) -> dict[str, Any]:
        rounds, winner = instant_runoff(
            ([str(pk) for pk in content["ranking"]] for content in contents),
            [str(option.pk) for option in options],
        )
        return {"rounds": rounds, "winner": winner}

    def describe(self, question, options, content) -> list[str]:
        labels = {str(option.pk): option.label for option in options}
        return [
            f"{rank}. {labels.get(str(key), key)}" for rank, key in enumerate(content["ranking"], 1)
        ]

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        # One <select name="{prefix}rank-{ID}"> per option; "" is "not ranked".
        field = f"{prefix}rank-"
        by_rank: dict[int, list[str]] = {}
        for name in data:
            value = data.get(name, "")
            # A rank that is not a number cannot come from the form's own
            # <select>: it counts as "not ranked".
            if name.startswith(field) and value.isascii() and value.isdigit():
                by_rank.setdefault(int(value), []).append(name.removeprefix(field))
        ranking = [ids[0] if len(ids) == 1 else ids for _rank, ids in sorted(by_rank.items())]
        return {"ranking": ranking} if ranking else {}

    def selected(self, content: Mapping[str, Any] | None) -> set[str]:
        return {str(pk) for pk in content["ranking"]} if content else set()

    def form_context(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        content: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """``rows`` (``option``, its ``rank`` or None) in option order, and
        ``ranks``: the numbers each option's <select> offers."""
        ranks = {pk: rank for rank, pk in enumerate((content or {}).get("ranking", []), 1)}
        return {
            "rows": [{"option": option, "rank": ranks.get(option.pk)} for option in options],
            "ranks": range(1, len(options) + 1),
        }
