"""The interface every voting method implements.

A method turns a ballot body (JSON from the API, or a page form) into
normalised ``content`` that is stored, says which counters that content adds
to, and turns counters into the result entries of the tally wire format.
Methods are pure: they never touch the database. A site adds its own by
subclassing ``VotingMethod`` and listing the dotted path in
``CONSULT["VOTING_METHODS"]``.

Counters are what keeps a tally cheap: the ballot service adds
``counts(content)`` to them in the ballot's transaction, so reading results
never scans ballots. A method whose result cannot be expressed as counters
(instant-runoff rounds depend on whole rankings) sets ``needs_ballots`` and
implements ``ballot_results``; ``consult.voting.tally`` feeds it the stored
ballots and caches its output per tally version.

Template contract: ``form_template`` is included inside the question's
``<form>``; its context holds ``q``, a dict with

- ``q.question`` and ``q.method``;
- ``q.prefix``: the prefix of every field name (e.g. ``"q12-"``), which
  ``body_from_form`` gets back;
- ``q.selected``: ``selected(own content)``, the keys the voter's public
  ballot chose (test one with the ``chosen`` filter);
- ``q.form``: ``form_context(question, options, own content)``, whatever
  else the template needs (the ranked and score ballots use it);
- ``q.voted``: whether the voter has a ballot.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypedDict

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consult.exceptions import InvalidBallot

#: key -> (votes, total): how much one ballot adds to each counter.
Counts = dict[str, tuple[int, int]]


class QuestionLike(Protocol):
    pk: int
    min_choices: int
    max_choices: int | None
    max_score: int
    budget: int | None


class OptionLike(Protocol):
    pk: int
    label: str
    cost: int


class ResultEntry(TypedDict, total=False):
    key: str
    label: str
    votes: int
    # score
    sum: int
    count: int
    mean: float | None
    # budget
    cost: int
    funded: bool


class VotingMethod(ABC):
    key: ClassVar[str]
    label: ClassVar[str | Promise]
    #: Whether the question needs options (yes/no questions do not).
    uses_options: ClassVar[bool] = True
    #: Minimum number of options a question of this method needs.
    min_options: ClassVar[int] = 2
    #: Template rendering the ballot fields on the consultation page.
    form_template: ClassVar[str]
    #: Whether the result needs the stored ballots, not only the counters.
    needs_ballots: ClassVar[bool] = False

    def config_errors(self, config: Mapping[str, Any], option_count: int) -> list[str | Promise]:
        """Problems with a question's settings, shown to the editor.

        ``config`` holds the question form's cleaned fields (a field that did
        not validate is missing).
        """
        if not self.uses_options and option_count:
            return [_("This voting method does not use options; remove them.")]
        if self.uses_options and option_count < self.min_options:
            return [
                _("This voting method needs at least %(count)d options.")
                % {"count": self.min_options}
            ]
        return []

    @abstractmethod
    def clean(
        self, question: QuestionLike, body: Any, options: Sequence[OptionLike]
    ) -> dict[str, Any]:
        """Validate a ballot body; return the content to store or raise ``InvalidBallot``.

        Any JSON value may arrive here; nothing but ``InvalidBallot`` may escape.
        """

    @abstractmethod
    def counts(self, content: Mapping[str, Any]) -> Counts:
        """The counters one stored ballot adds to."""

    def results(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        counts: Mapping[str, tuple[int, int]],
    ) -> dict[str, Any]:
        """``{"results": [...]}`` plus the method's extras, from the counters."""
        return {"results": option_entries(options, counts)}

    def ballot_results(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        contents: Iterable[Mapping[str, Any]],
    ) -> dict[str, Any]:
        """Top-level tally extras computed from every stored ballot's content.

        Called only when ``needs_ballots`` is set. The output must depend on
        nothing but ``options`` and ``contents`` and be JSON-serialisable:
        the caller caches it until the tally's version changes. Methods that
        do not set ``needs_ballots`` have no such extras.
        """
        return {}

    @abstractmethod
    def ballot_schema(self) -> dict[str, Any]:
        """The JSON schema of this method's ballot body (an object).

        The API's OpenAPI schema is built from it, so it must describe every
        body ``clean`` accepts.
        """

    #: An example ballot body for the API documentation (option ids 12, 13, 14).
    example: ClassVar[dict[str, Any]] = {}

    def map_options(self, body: Any, mapping: Mapping[int, int]) -> Any:
        """``body`` (or stored content) with its option ids replaced through
        ``mapping``: a translated question's ballot goes to its original's
        options, and back. Ids not in ``mapping`` and malformed values pass
        through unchanged, for ``clean`` to judge. Methods without options
        keep the default."""
        return body

    @abstractmethod
    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        """Build a ballot body from a page form POST; falsy when nothing was chosen.

        Never raises: a form value ``clean`` cannot accept goes into the body
        as it is, so the voter gets ``clean``'s explanation.
        """

    def describe(
        self, question: QuestionLike, options: Sequence[OptionLike], content: Mapping[str, Any]
    ) -> list[str]:
        """A stored ballot in words, one item per choice, for its voter."""
        labels = {
            entry["key"]: entry["label"] for entry in self.results(question, options, {})["results"]
        }
        return [str(labels.get(key, key)) for key in self.counts(content)]

    def selected(self, content: Mapping[str, Any] | None) -> set[str]:
        """The keys a stored ballot chose, to pre-select them in the page form."""
        return set(self.counts(content)) if content else set()

    def form_context(
        self,
        question: QuestionLike,
        options: Sequence[OptionLike],
        content: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """Extra context for ``form_template`` (``q.form``), pre-filled from
        the voter's public ballot ``content`` (None or empty: nothing to show)."""
        return {}


#: JSON schemas of an option id and of a list of distinct option ids.
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1}
IDS_SCHEMA: dict[str, Any] = {"type": "array", "items": ID_SCHEMA, "uniqueItems": True}


def object_schema(**properties: dict[str, Any]) -> dict[str, Any]:
    """A ballot body's schema: an object with exactly ``properties``."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def map_id(value: Any, mapping: Mapping[int, int]) -> Any:
    """One option id (an int, or a string of digits) through ``mapping``,
    keeping its type; anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    try:
        key = int(value)
    except ValueError:
        return value
    mapped = mapping.get(key)
    if mapped is None:
        return value
    return str(mapped) if isinstance(value, str) else mapped


def map_field(body: Any, field: str, mapping: Mapping[int, int]) -> Any:
    """``body`` with the id, or the list of ids, in ``field`` mapped."""
    if not isinstance(body, Mapping) or field not in body:
        return body
    value = body[field]
    if isinstance(value, list):
        value = [map_id(item, mapping) for item in value]
    else:
        value = map_id(value, mapping)
    return {**body, field: value}


def option_entries(
    options: Sequence[OptionLike], counts: Mapping[str, tuple[int, int]]
) -> list[ResultEntry]:
    return [
        {
            "key": str(option.pk),
            "label": option.label,
            "votes": counts.get(str(option.pk), (0, 0))[0],
        }
        for option in options
    ]


def require_dict(body: Any, field: str) -> Any:
    if not isinstance(body, Mapping) or field not in body:
        raise InvalidBallot(_("The ballot needs a “%(field)s” field.") % {"field": field})
    return body[field]


def option_by_id(value: Any, options: Sequence[OptionLike]) -> OptionLike:
    """The option ``value`` names (an int, or a string of digits), or ``InvalidBallot``."""
    return option_in({option.pk: option for option in options}, value)


def distinct_options(values: Any, options: Sequence[OptionLike], field: str) -> list[OptionLike]:
    """The options a list of ids names, in the list's order.

    Refuses anything but a list of distinct ids of ``options``. It stops at
    the first bad item, so even a huge list costs at most ``len(options)`` steps.
    """
    if not isinstance(values, list):
        raise InvalidBallot(_("“%(field)s” must be a list of option ids.") % {"field": field})
    by_id = {option.pk: option for option in options}
    chosen: dict[int, OptionLike] = {}
    for value in values:
        option = option_in(by_id, value)
        if option.pk in chosen:
            raise InvalidBallot(duplicate_message(value))
        chosen[option.pk] = option
    return list(chosen.values())


def in_option_order(chosen: Sequence[OptionLike], options: Sequence[OptionLike]) -> list[int]:
    """Ids of ``chosen`` in the question's order, so equal choices store equal content."""
    wanted = {option.pk for option in chosen}
    return [option.pk for option in options if option.pk in wanted]


def duplicate_message(value: Any) -> str | Promise:
    return _("Option %(value)s appears more than once.") % {"value": shown(value)}


def option_in(by_id: Mapping[int, OptionLike], value: Any) -> OptionLike:
    """The option of ``by_id`` (options by pk) that ``value`` names, or ``InvalidBallot``."""
    # bool is an int subclass: ``true`` must not name option 1. Strings must
    # be plain ASCII digits (``int()`` would also take " 1", "1_0" or "١").
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidBallot(_("Options are named by their numeric id."))
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 20):
            raise InvalidBallot(_("Options are named by their numeric id."))
        value = int(value)
    option = by_id.get(value)
    if option is None:
        raise InvalidBallot(
            _("%(value)s is not an option of this question.") % {"value": shown(value)}
        )
    return option


def shown(value: Any) -> str:
    """``value`` cut short for a message (``str()`` of a huge int would raise)."""
    if isinstance(value, int) and abs(value) >= 10**20:
        return "…"
    return str(value)[:20]
