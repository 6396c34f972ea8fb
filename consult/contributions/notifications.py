"""Emails to authors about moderators' decisions and official answers.

Called from ``transaction.on_commit`` only (a rolled-back decision sends
nothing), with ids: the item is read again. Subjects and bodies are the
templates under ``consult/templates/consult/emails/``, rendered in the site's
``LANGUAGE_CODE`` (authors have no stored language); a site overrides them
like any template. A failing mail server is logged, never raised: the
decision is already committed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from consult.contributions.authors import display_name
from consult.models import Comment, Proposal

logger = logging.getLogger(__name__)

TEMPLATES = "consult/emails/"


def decision(model_name: str, pk: int, action: str) -> None:
    model = {"proposal": Proposal, "comment": Comment}[model_name]
    item = model.objects.select_related("author", "page").filter(pk=pk).first()
    if item is None:
        return
    _send(
        item.author,
        "decision",
        {
            "kind": model_name,
            "item": item,
            "action": action,
            "note": item.moderator_note,
            "url": item_url(item) if item.status == "published" else "",
        },
    )


def answer(proposal_pk: int) -> None:
    proposal = Proposal.objects.select_related("author", "page").filter(pk=proposal_pk).first()
    if proposal is None or not proposal.answer:
        return
    _send(
        proposal.author,
        "answer",
        {"item": proposal, "answer": proposal.answer, "url": item_url(proposal)},
    )


def item_url(item: Proposal | Comment) -> str:
    page = item.page
    base = page.get_full_url() or ""
    if not base:
        return ""
    if isinstance(item, Proposal):
        return base + page.reverse_subpage("proposal", kwargs={"proposal_id": item.pk})
    if item.proposal_id:
        path = page.reverse_subpage("proposal", kwargs={"proposal_id": item.proposal_id})
        return f"{base}{path}#comment-{item.pk}"
    return f"{base}#comment-{item.pk}"


def _send(user, name: str, context: dict) -> None:
    if user is None or not user.is_active or not getattr(user, "email", ""):
        return
    context = {**context, "name": display_name(user), "page": context["item"].page}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{TEMPLATES}{name}_subject.txt", context)
        body = render_to_string(f"{TEMPLATES}{name}_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except Exception:
        logger.exception("consult: could not email %s about %s", user.pk, name)
