"""The interface every eligibility rule implements.

A rule answers one question about a signed-in user and one consultation:
does the user meet it, and if not, what can they do about it. Rules are
configured per consultation in ``ConsultationPage.eligibility`` (a block
per rule, whose type is the rule's ``key``); ``config`` is that block's
stored value, a plain dict with the rule's ``fields`` and ``actions``.

A site adds a rule by subclassing ``EligibilityRule`` and listing its dotted
path in ``CONSULT["ELIGIBILITY_RULES"]``. This module imports no model, so
a host's rule module can be imported while the models load (the page's
StreamField is built from ``fields``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from wagtail import blocks

    from consult.models import ConsultationPage


@dataclass(frozen=True)
class Unmet:
    """A rule the user does not meet: which, why (translated), and where to go."""

    rule: str
    detail: str | Promise
    action_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "detail": str(self.detail), "action_url": self.action_url}


@dataclass
class Check:
    """One evaluation of a page's rules for one user: rules share what they
    looked up (a user's claims, groups, e-mail addresses) through ``memo``."""

    user: Any
    page: ConsultationPage
    memo: dict[str, Any] = field(default_factory=dict)

    def remember(self, name: str, compute):
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


class EligibilityRule(ABC):
    key: ClassVar[str]
    label: ClassVar[str | Promise]
    #: The admin fields of the rule (besides ``actions``), as Wagtail blocks.
    fields: ClassVar[list[tuple[str, blocks.Block]]] = []

    @abstractmethod
    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        """None when ``check.user`` (signed in) meets the rule, else why not."""

    @abstractmethod
    def summary(self, config: Mapping[str, Any]) -> str:
        """Who meets the rule, in plain language, for the consultation page."""


def list_values(value: Any) -> list[Any]:
    """The items of a stored ListBlock value: ``[{"type": "item", "value": v, "id": ...}]``
    as the admin saves it, or plain ``[v, ...]`` as code may write it."""
    items = []
    for item in value or []:
        if isinstance(item, Mapping) and item.get("type") == "item" and "value" in item:
            item = item["value"]
        items.append(item)
    return items
