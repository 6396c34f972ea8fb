"""Citizens' pages: what the consultation page and its routes show, and the
plain form posts that work with JavaScript off.

Entry points only: every rule is the services' (``consult.voting``,
``consult.contributions``); these views translate forms and pages to and
from them. ``ConsultConfig.ready()`` hands the page models the context
builders and route views below (``consult.models.pages.wire``).
"""

from __future__ import annotations

from typing import Any

from consult import privacy
from consult.actor import Actor
from consult.views import comments, proposals
from consult.views.common import contributions_context
from consult.views.consultation import consultation_context

#: The consultation page's routes (``ConsultationPage``) and their views.
PAGE_ROUTES = {
    "proposal_list": proposals.proposal_list,
    "proposal_create": proposals.proposal_create,
    "proposal_detail": proposals.proposal_detail,
    "proposal_edit": proposals.proposal_edit,
    "proposal_withdraw": proposals.proposal_withdraw,
    "proposal_support": proposals.proposal_support,
    "proposal_report": proposals.proposal_report,
    "comment_create": comments.comment_create,
    "comment_edit": comments.comment_edit,
    "comment_delete": comments.comment_delete,
    "comment_report": comments.comment_report,
}


def page_context(page, request) -> dict[str, Any]:
    """The consultation page's context: questions, proposals, discussion."""
    return {**consultation_context(page, request), **contributions_context(page, request)}


def index_context(index, request, consultations) -> dict[str, Any]:
    """The index page lists only the consultations page privacy lets the viewer see."""
    return {"consultations": consultations.filter(privacy.visible_q(Actor.from_request(request)))}
