"""The interface every voting method implements.

A method turns a ballot body (JSON from the API, or a page form) into
normalised ``content`` that is stored, says which counters that content adds
to, and turns counters into the result entries of the tally wire format.
Methods are pure: they never touch the database. A site adds its own by
subclassing ``VotingMethod`` and listing the dotted path in
``CONSULT["VOTING_METHODS"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, TypedDict

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consult.exceptions import InvalidBallot

#: key -> (votes, total): how much one ballot adds to each counter.
Counts = dict[str, tuple[int, int]]


class OptionLike(Protocol):
    pk: int
    label: str
    cost: int


class ResultEntry(TypedDict, total=False):
    key: str
    label: str
    votes: int


class VotingMethod:
    key: ClassVar[str]
    label: ClassVar[str | Promise]
    #: Whether the question needs options (yes/no questions do not).
    uses_options: ClassVar[bool] = True
    #: Minimum number of options a question of this method needs.
    min_options: ClassVar[int] = 2
    #: Template rendering the ballot fields on the consultation page.
    form_template: ClassVar[str]

    def config_errors(self, config: Mapping[str, Any], option_count: int) -> list[str | Promise]:
        """Problems with a question's settings, shown to the editor."""
        if not self.uses_options and option_count:
            return [_("This voting method does not use options; remove them.")]
        if self.uses_options and option_count < self.min_options:
            return [
                _("This voting method needs at least %(count)d options.")
                % {"count": self.min_options}
            ]
        return []

    def clean(self, question: Any, body: Any, options: Sequence[OptionLike]) -> dict[str, Any]:
        """Validate a ballot body; return the content to store or raise ``InvalidBallot``."""
        raise NotImplementedError

    def counts(self, content: Mapping[str, Any]) -> Counts:
        """The counters one stored ballot adds to."""
        raise NotImplementedError

    def results(
        self, question: Any, options: Sequence[OptionLike], counts: Mapping[str, tuple[int, int]]
    ) -> dict[str, Any]:
        """``{"results": [...]}`` plus the method's extras, from the counters."""
        return {"results": option_entries(options, counts)}

    def body_from_form(self, data: QueryDict, prefix: str) -> Any:
        """Build a ballot body from a page form POST."""
        raise NotImplementedError

    def selected(self, content: Mapping[str, Any] | None) -> set[str]:
        """The keys a stored ballot chose, to pre-select them in the page form."""
        return set(self.counts(content)) if content else set()


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
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidBallot(_("Options are named by their numeric id."))
    try:
        wanted = int(value)
    except ValueError:
        raise InvalidBallot(_("Options are named by their numeric id.")) from None
    for option in options:
        if option.pk == wanted:
            return option
    raise InvalidBallot(
        _("%(value)s is not an option of this question.") % {"value": str(value)[:20]}
    )
