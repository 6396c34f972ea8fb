"""A list of citizens' proposals with filters the editor presets."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from consult import privacy
from consult.actor import Actor
from consult.models import Category, Proposal

from .base import (
    PREVIEW_TEMPLATE,
    ConsultStructBlock,
    actor_of,
    current_page,
    is_consultation,
    is_preview,
    page_url,
    subpage_url,
)
from .choosers import ConsultationChooserBlock

PUBLISHED = "published"

STATUS_CHOICES = [
    ("published", _("All published proposals")),
    ("answered", _("Proposals the city has answered")),
    ("unanswered", _("Proposals awaiting an answer")),
]
ORDERING_CHOICES = [
    ("newest", _("Newest first")),
    ("supports", _("Most supported first")),
]
ORDERINGS = {
    "newest": ("-created_at", "-pk"),
    "supports": ("-supports", "-created_at", "-pk"),
}


def category_choices() -> list[tuple[str, str]]:
    """The proposal categories, by slug (stable across databases, unlike ids)."""
    try:
        return [("", _("All categories")), *Category.objects.values_list("slug", "name")]
    except DatabaseError:  # before the first migration (e.g. makemigrations)
        return [("", _("All categories"))]


def proposals_queryset(consultation, status: str, category: str, ordering: str, actor: Actor):
    """Published proposals of live consultations ``actor`` may see (page
    privacy), filtered as the block says.

    Pending, rejected, withdrawn and hidden proposals never appear here,
    whoever looks: a block is public content.
    """
    queryset = Proposal.objects.filter(status=PUBLISHED, page__live=True)
    queryset = queryset.filter(privacy.visible_q(actor, "page__"))
    if consultation is not None:
        queryset = queryset.filter(page=consultation)
    if status == "answered":
        queryset = queryset.filter(answered_at__isnull=False)
    elif status == "unanswered":
        queryset = queryset.filter(answered_at__isnull=True)
    if category:
        queryset = queryset.filter(category__slug=category)
    return queryset.select_related("page", "category").order_by(
        *ORDERINGS.get(ordering, ORDERINGS["newest"])
    )


def _sample_proposals() -> list[dict[str, Any]]:
    return [
        {
            "title": _("Plant trees along the tram line"),
            "body": _("Shade for the stops in summer, and a greener street all year."),
            "supports": 87,
            "category": {"name": _("Environment")},
            "answered_at": None,
            "url": "",
        },
        {
            "title": _("A covered bicycle park at the station"),
            "body": _("Two hundred places, lit at night, next to the main entrance."),
            "supports": 54,
            "category": {"name": _("Mobility")},
            "answered_at": True,
            "url": "",
        },
    ]


class ProposalsListBlock(ConsultStructBlock):
    """Published proposals of one consultation (or of every consultation),
    filtered by the editor's presets. Empty consultation on a consultation
    page: that page."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=160)
    consultation = ConsultationChooserBlock(
        label=_("Consultation"),
        required=False,
        help_text=_(
            "Leave empty to list the proposals of the consultation this block is on "
            "(or of every consultation, on another page)."
        ),
    )
    status = blocks.ChoiceBlock(label=_("Show"), choices=STATUS_CHOICES, default="published")
    category = blocks.ChoiceBlock(
        label=_("Category"), choices=category_choices, required=False, default=""
    )
    count = blocks.IntegerBlock(
        label=_("Number of proposals"), default=5, min_value=1, max_value=50
    )
    ordering = blocks.ChoiceBlock(label=_("Order"), choices=ORDERING_CHOICES, default="newest")

    class Meta:
        icon = "list-ul"
        label = _("Proposals")
        template = "consult/blocks/proposals_list.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "A list of citizens' published proposals: choose the consultation, "
            "a category, how many and in which order."
        )
        preview_value = {
            "heading": _("Ideas from residents"),
            "consultation": None,
            "status": "published",
            "category": "",
            "count": 3,
            "ordering": "supports",
        }

    def consultation_for(self, value, parent_context):
        consultation = value.get("consultation")
        if consultation is None:
            here = current_page(parent_context)
            return here if is_consultation(here) else None
        return consultation

    def proposals(self, value, parent_context):
        consultation = self.consultation_for(value, parent_context)
        if consultation is not None and not consultation.live and not is_preview(parent_context):
            return None, []
        queryset = proposals_queryset(
            consultation,
            value.get("status") or "published",
            value.get("category") or "",
            value.get("ordering") or "newest",
            actor_of(parent_context),
        )
        return consultation, list(queryset[: value.get("count") or 5])

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        consultation, proposals = self.proposals(value, parent_context)
        items = [
            {
                "title": proposal.title,
                "body": proposal.body,
                "supports": proposal.supports,
                "category": proposal.category,
                "answered_at": proposal.answered_at,
                "url": subpage_url(
                    proposal.page, "proposal", parent_context, proposal_id=proposal.pk
                ),
                "consultation": proposal.page if consultation is None else None,
            }
            for proposal in proposals
        ]
        if not items and (parent_context or {}).get("consult_block_preview"):
            items = _sample_proposals()
        context.update(
            {
                "proposals": items,
                "consultation": consultation,
                "all_url": subpage_url(consultation, "proposals", parent_context)
                if consultation is not None
                else "",
                "consultation_url": page_url(consultation, parent_context),
            }
        )
        return context

    def get_api_representation(self, value, context=None):
        consultation, proposals = self.proposals(value, context)
        return {
            "heading": value.get("heading") or "",
            "consultation": consultation.pk if consultation is not None else None,
            "status": value.get("status"),
            "category": value.get("category") or None,
            "ordering": value.get("ordering"),
            "proposals": [
                {
                    "id": proposal.pk,
                    "title": proposal.title,
                    "consultation": proposal.page_id,
                    "category": proposal.category.slug if proposal.category else None,
                    "supports": proposal.supports,
                    "answered": proposal.answered_at is not None,
                    "url": subpage_url(proposal.page, "proposal", context, proposal_id=proposal.pk),
                }
                for proposal in proposals
            ],
        }
