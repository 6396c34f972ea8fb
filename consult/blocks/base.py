"""What the consultation blocks share: finding the consultation a block is
about, the wrapper that makes a block work outside a consultation page, and
block previews that still show something on an empty database.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from consult import privacy
from consult.actor import Actor, as_actor
from consult.models import ConsultationPage

PREVIEW_TEMPLATE = "consult/blocks/preview.html"


def current_page(parent_context: dict[str, Any] | None):
    return (parent_context or {}).get("page")


def is_consultation(page) -> bool:
    return isinstance(page, ConsultationPage)


def request_of(context: dict[str, Any] | None):
    return (context or {}).get("request")


def user_of(context: dict[str, Any] | None):
    request = request_of(context)
    return getattr(request, "user", None)


def actor_of(context: dict[str, Any] | None) -> Actor:
    """Who the block is rendered for (anonymous when there is no request)."""
    request = request_of(context)
    if request is None:
        return as_actor(None)
    memo = getattr(request, "_consult_actor", None)
    if memo is None:
        # One per request: every block on a page shares its privacy lookups.
        memo = Actor.from_request(request)
        request._consult_actor = memo
    return memo


def is_preview(context: dict[str, Any] | None) -> bool:
    """Rendering a block preview (block picker) or a page preview."""
    context = context or {}
    request = context.get("request")
    return bool(context.get("consult_block_preview") or getattr(request, "is_preview", False))


def sample_consultation():
    """An unsaved consultation in its voting phase, for previews on an empty database."""
    now = timezone.now()
    return ConsultationPage(
        title=str(_("Market square: your say")),
        proposals_open_at=now - timedelta(days=30),
        proposals_close_at=now - timedelta(days=10),
        voting_open_at=now - timedelta(days=2),
        voting_close_at=now + timedelta(days=12),
        results_visibility="live",
    )


def resolve_consultation(chosen, parent_context: dict[str, Any] | None):
    """The consultation a block shows: the chosen one, else the page it is on
    (when that is a consultation), else a sample in previews, else None.

    A chosen consultation that is not live is shown only in previews, so a
    block never reveals a draft; one that page privacy hides from the viewer
    is not shown at all.
    """
    page = chosen
    if page is None:
        here = current_page(parent_context)
        page = here if is_consultation(here) else None
    if page is not None and getattr(page, "pk", None) and not page.live:
        return page if is_preview(parent_context) else None
    if page is not None and not privacy.is_visible(actor_of(parent_context), page):
        return None
    if page is None and (parent_context or {}).get("consult_block_preview"):
        return sample_consultation()
    return page


def page_url(page, context: dict[str, Any] | None) -> str:
    if page is None or not getattr(page, "pk", None):
        return ""
    return page.get_url(request_of(context)) or ""


def subpage_url(page, name: str, context: dict[str, Any] | None, **kwargs) -> str:
    """The URL of one of the consultation's own routes (``proposals/new/``...)."""
    base = page_url(page, context)
    if not base:
        return ""
    return base.rstrip("/") + "/" + page.reverse_subpage(name, kwargs=kwargs or None).lstrip("/")


class ConsultBlockMixin:
    """Context every consultation block template gets.

    ``consult_standalone`` is true outside a consultation page: the template
    then wraps itself in ``.consult`` (the theme's custom properties) and
    links the stylesheet, which a host page does not load.
    ``consult_dom_id`` is unique per rendering, for ``aria-labelledby``.
    """

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["consult_standalone"] = not (
            is_consultation(current_page(parent_context))
            or (parent_context or {}).get("consult_block_preview")
        )
        context["consult_dom_id"] = f"consult-block-{uuid.uuid4().hex[:10]}"
        return context

    def get_preview_context(self, value, parent_context=None):
        return {**(parent_context or {}), "consult_block_preview": True}


class ConsultStructBlock(ConsultBlockMixin, blocks.StructBlock):
    pass
