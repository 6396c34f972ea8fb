from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from consult.exceptions import InvalidBallot

from .base import (
    Counts,
    OptionLike,
    QuestionLike,
    VotingMethod,
    duplicate_message,
    map_id,
    object_schema,
    option_in,
    require_dict,
)


class Score(VotingMethod):
    """``{"scores": {"ID": n, ...}}``: one or more options, each scored
    0..``max_score``; options left out are not scored. Each result entry has
    ``votes`` (= ``count``, ballots that scored it), ``sum`` and ``mean``."""

    key = "score"
    label = _("Score (rate each option)")
    form_template = "consult/ballots/score.html"

    example = {"scores": {"12": 5, "14": 0}}

    def ballot_schema(self) -> dict[str, Any]:
        return object_schema(
            scores={
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "integer", "minimum": 0},
            }
        )

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        if not isinstance(body, Mapping) or not isinstance(body.get("scores"), Mapping):
            return body
        scores = {str(map_id(key, mapping)): value for key, value in body["scores"].items()}
        return {**body, "scores": scores}

    def clean(
        self, question: QuestionLike, body: Any, options: Sequence[OptionLike]
    ) -> dict[str, Any]:
        scores = require_dict(body, "scores")
        if not isinstance(scores, Mapping):
            raise InvalidBallot(_("“scores” must map option ids to scores."))
        if not scores:
            raise InvalidBallot(_("Score at least one option."))
        by_id = {option.pk: option for option in options}
        given: dict[int, int] = {}
        # Stops at the first bad entry: a huge mapping is never walked whole.
        for key, score in scores.items():
            option = option_in(by_id, key)
            if option.pk in given:
                raise InvalidBallot(duplicate_message(key))
            if (
                isinstance(score, bool)
                or not isinstance(score, int)
                or not 0 <= score <= question.max_score
            ):
                raise InvalidBallot(
                    _("The score for “%(option)s” must be a whole number from 0 to %(max)d.")
                    % {"option": option.label, "max": question.max_score}
                )
            given[option.pk] = score
        return {"scores": {str(o.pk): given[o.pk] for o in options if o.pk in given}}

    def counts(self, content: Mapping[str, Any]) -> Counts:
        return {key: (1, score) for key, score in content["scores"].items()}

    def results(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        counts: Mapping[str, tuple[int, int]],
    ) -> dict[str, Any]:
        entries = []
        for option in options:
            scored, total = counts.get(str(option.pk), (0, 0))
            entries.append(
                {
                    "key": str(option.pk),
                    "label": option.label,
                    "votes": scored,
                    "sum": total,
                    "count": scored,
                    "mean": mean(total, scored),
                }
            )
        return {"results": entries}

    def describe(self, question, options, content) -> list[str]:
        labels = {str(option.pk): option.label for option in options}
        return [f"{labels.get(str(key), key)}: {score}" for key, score in content["scores"].items()]

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        # One radio group "{prefix}score-{ID}" per option; "" is "no score".
        field = f"{prefix}score-"
        scores: dict[str, Any] = {}
        for name in data:
            value = data.get(name, "")
            if name.startswith(field) and value:
                number = value.isascii() and value.isdigit() and len(value) <= 20
                scores[name.removeprefix(field)] = int(value) if number else value
        return {"scores": scores} if scores else {}

    def form_context(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        content: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """``rows`` (``option``, ``score`` or None) and ``scale``: 0..max_score."""
        scores = (content or {}).get("scores", {})
        return {
            "rows": [{"option": option, "score": scores.get(str(option.pk))} for option in options],
            "scale": range(question.max_score + 1),
        }


def mean(total: int, count: int) -> float | None:
    """``total / count`` to 2 decimals, halves rounded up (2.675 gives 2.68:
    the exact quotient is rounded, not its binary float)."""
    if not count:
        return None
    return float((Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
