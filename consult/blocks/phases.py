"""A consultation's phase timeline, and a call to action that follows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from consult.voting import presenter

from .base import (
    PREVIEW_TEMPLATE,
    ConsultStructBlock,
    page_url,
    resolve_consultation,
    subpage_url,
)
from .choosers import ConsultationChooserBlock

DONE, CURRENT, UPCOMING = "done", "current", "upcoming"
STATE_LABELS = {
    DONE: _("completed"),
    CURRENT: _("in progress"),
    UPCOMING: _("upcoming"),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    opens: datetime | None
    closes: datetime | None
    state: str

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    def as_api(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "opens": self.opens.isoformat() if self.opens else None,
            "closes": self.closes.isoformat() if self.closes else None,
            "state": self.state,
        }


def _state(now: datetime, opens: datetime | None, closes: datetime | None) -> str:
    if opens is not None and now < opens:
        return UPCOMING
    if closes is not None and now >= closes:
        return DONE
    return CURRENT if opens is not None else UPCOMING


def phase_steps(page, now: datetime | None = None) -> list[Step]:
    """The phases ``page`` has switched on, in order, then the publication of
    results when voting has an end and results are published at all."""
    now = now or timezone.now()
    steps = []
    if page.proposals_open_at:
        steps.append(
            Step(
                "proposals",
                _("Proposals"),
                page.proposals_open_at,
                page.proposals_close_at,
                _state(now, page.proposals_open_at, page.proposals_close_at),
            )
        )
    if page.voting_open_at:
        steps.append(
            Step(
                "voting",
                _("Voting"),
                page.voting_open_at,
                page.voting_close_at,
                _state(now, page.voting_open_at, page.voting_close_at),
            )
        )
        if page.voting_close_at and page.results_visibility != "hidden":
            published = now >= page.voting_close_at
            steps.append(
                Step(
                    "results",
                    _("Results"),
                    page.voting_close_at,
                    None,
                    DONE if published else UPCOMING,
                )
            )
    return steps


class PhaseTimelineBlock(ConsultStructBlock):
    """The phases of a consultation as an ordered list, the current one
    marked with ``aria-current="step"``."""

    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=160, default=_("How it works")
    )
    consultation = ConsultationChooserBlock(
        label=_("Consultation"),
        required=False,
        help_text=_("Leave empty to use the consultation this block is on."),
    )

    class Meta:
        icon = "time"
        label = _("Phase timeline")
        template = "consult/blocks/phase_timeline.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "The phases of a consultation (proposals, voting, results) with their "
            "dates; the current phase is highlighted."
        )
        preview_value = {"heading": _("How it works"), "consultation": None}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        consultation = resolve_consultation(value.get("consultation"), parent_context)
        context["consultation"] = consultation
        context["steps"] = phase_steps(consultation) if consultation is not None else []
        return context

    def get_api_representation(self, value, context=None):
        consultation = resolve_consultation(value.get("consultation"), context)
        return {
            "heading": value.get("heading") or "",
            "consultation": consultation.pk if consultation is not None else None,
            "steps": [step.as_api() for step in phase_steps(consultation)]
            if consultation is not None
            else [],
        }


def call_to_action(page, context: dict[str, Any] | None) -> dict[str, Any]:
    """What to invite citizens to do now: ``{"action", "label", "url", "note"}``.

    ``action`` is ``propose`` (proposals phase), ``vote`` (voting phase),
    ``results`` (closed, results visible to this viewer), or ``learn``
    (upcoming, or closed with results not shown).
    """
    status = page.status
    url = page_url(page, context)
    if status == "voting":
        return {
            "action": "vote",
            "label": _("Vote now"),
            "url": f"{url}#consult-questions-heading" if url else "",
            "note": page.voting_close_at,
            "note_label": _("Voting closes on"),
        }
    if status == "proposals":
        return {
            "action": "propose",
            "label": _("Submit a proposal"),
            "url": subpage_url(page, "proposal_new", context),
            "note": page.proposals_close_at,
            "note_label": _("Proposals close on"),
        }
    if status == "closed" and presenter.results_visible(page):
        return {
            "action": "results",
            "label": _("See the results"),
            "url": f"{url}#consult-questions-heading" if url else "",
            "note": None,
            "note_label": "",
        }
    opens = [d for d in (page.proposals_open_at, page.voting_open_at) if d and d > timezone.now()]
    return {
        "action": "learn",
        "label": _("Find out more"),
        "url": url,
        "note": min(opens) if opens and status == "upcoming" else None,
        "note_label": _("Opens on"),
    }


class CallToActionBlock(ConsultStructBlock):
    """One button that follows the consultation's phase: submit a proposal,
    vote, see the results, or find out more while it is upcoming."""

    consultation = ConsultationChooserBlock(
        label=_("Consultation"),
        required=False,
        help_text=_("Leave empty to use the consultation this block is on."),
    )
    text = blocks.CharBlock(
        label=_("Text"),
        required=False,
        max_length=300,
        help_text=_("A sentence shown above the button."),
    )

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "consult/blocks/call_to_action.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "A button inviting citizens to take part: it says “Submit a proposal”, "
            "“Vote now” or “See the results” depending on the current phase."
        )
        preview_value = {
            "consultation": None,
            "text": _("The city is redesigning the market square. Have your say."),
        }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        consultation = resolve_consultation(value.get("consultation"), parent_context)
        context["consultation"] = consultation
        context["cta"] = (
            call_to_action(consultation, parent_context) if consultation is not None else None
        )
        return context

    def get_api_representation(self, value, context=None):
        consultation = resolve_consultation(value.get("consultation"), context)
        if consultation is None:
            return {"consultation": None, "text": value.get("text") or ""}
        cta = call_to_action(consultation, context)
        return {
            "consultation": consultation.pk,
            "status": consultation.status,
            "text": value.get("text") or "",
            "action": cta["action"],
            "label": str(cta["label"]),
            "url": cta["url"],
        }
