"""Moderators' decisions on proposals and comments, and editors' answers.

Each decision changes the item's status in one transaction, resolves the
item's open reports, writes an entry to Wagtail's audit log (``consult.*``
actions, shown in the item's history and the site history report), sends
``contribution_moderated`` (``consult.notifications`` tells the author),
and after commit tells the live page by websocket.

| action  | from                                          | to          |
| ------- | --------------------------------------------- | ----------- |
| approve | pending, hidden, rejected (published: reports dismissed) | published |
| reject  | pending                                       | rejected    |
| hide    | published                                     | hidden      |

Withdrawn items are the author's and are never changed by moderation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from consult import conf, permissions, signals
from consult.contributions.services import comments_changed
from consult.contributions.text import clean_text
from consult.exceptions import InvalidContribution, NotModerator
from consult.models import Comment, Proposal, Report

NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Action:
    name: str
    target: str
    sources: frozenset[str]
    label: object
    past: object


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "approve",
            "published",
            frozenset({"pending", "hidden", "rejected", "published"}),
            _("Approve"),
            _("Approved"),
        ),
        Action("reject", "rejected", frozenset({"pending"}), _("Reject"), _("Rejected")),
        Action("hide", "hidden", frozenset({"published"}), _("Hide"), _("Hidden")),
    )
}


def allowed(item: Proposal | Comment, action: str) -> bool:
    """Whether ``action`` applies to ``item`` in its current status."""
    return item.status in ACTIONS[action].sources


def moderate(moderator, item: Proposal | Comment, action: str, note: str = "") -> bool:
    """Apply ``action`` ("approve", "reject", "hide") to ``item``.

    Returns False, changing nothing, when the item's status does not allow
    the action (e.g. it was withdrawn meanwhile). ``note`` is the moderator's
    note: kept on the item and in the audit log, and sent to the author.
    """
    model = type(item)
    if not permissions.can_moderate(moderator, model):
        raise NotModerator()
    decision = ACTIONS.get(action)
    if decision is None:
        raise InvalidContribution(_("Unknown moderation action."))
    note = clean_text(note, field=str(_("note")), max_length=NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        fresh = model.objects.select_for_update().filter(pk=item.pk).first()
        if fresh is None or fresh.status not in decision.sources:
            return False
        previous = fresh.status
        now = timezone.now()
        fresh.status = decision.target
        fresh.moderator_note = note
        fresh.moderated_at = now
        fresh.save(update_fields=["status", "moderator_note", "moderated_at"])
        reports = Report.objects.filter(resolved_at__isnull=True)
        reports.filter(**{model._meta.model_name: fresh}).update(resolved_at=now)
        log(
            fresh,
            f"consult.{action}",
            user=moderator,
            data={"note": note, "from": previous, "to": decision.target},
        )
        public_before, public_after = previous == "published", decision.target == "published"
        if isinstance(fresh, Comment) and public_before != public_after:
            comments_changed(fresh.page_id)
        signals.contribution_moderated.send(
            model,
            instance=fresh,
            user=moderator,
            action=action,
            previous_status=previous,
            note=note,
        )
    item.status, item.moderator_note, item.moderated_at = fresh.status, note, now
    return True


def moderate_many(moderator, items, action: str, note: str = "") -> tuple[int, int]:
    """``moderate`` each item; returns (changed, skipped). Items are taken in
    primary-key order so concurrent batches lock rows in the same order."""
    done = skipped = 0
    for item in sorted(items, key=lambda item: item.pk):
        if moderate(moderator, item, action, note):
            done += 1
        else:
            skipped += 1
    return done, skipped


def answer_proposal(editor, proposal: Proposal, answer: object) -> bool:
    """Give ``proposal`` its official answer (or change or clear it).

    Logged as ``consult.answer``; ``proposal_answered`` tells the author. Returns
    False when the answer did not change.
    """
    if not permissions.can_answer(editor):
        raise NotModerator()
    text = clean_text(
        answer,
        field=str(_("official answer")),
        max_length=int(conf.get("PROPOSAL_MAX_LENGTH")),
        required=False,
    )
    with transaction.atomic():
        fresh = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if fresh.answer == text:
            return False
        fresh.answer = text
        fresh.answered_at = timezone.now() if text else None
        fresh.save(update_fields=["answer", "answered_at", "updated_at"])
        log(fresh, "consult.answer", user=editor, data={"answer": text})
        signals.proposal_answered.send(Proposal, proposal=fresh, user=editor)
    proposal.answer, proposal.answered_at = fresh.answer, fresh.answered_at
    return True


def set_category(editor, proposal: Proposal, category) -> bool:
    """An editor files ``proposal`` under ``category`` (or none); logged as ``wagtail.edit``."""
    if not permissions.can_answer(editor):
        raise NotModerator()
    with transaction.atomic():
        updated = Proposal.objects.filter(pk=proposal.pk).exclude(category=category)
        if category is None:
            updated = Proposal.objects.filter(pk=proposal.pk, category__isnull=False)
        if not updated.update(category=category, updated_at=timezone.now()):
            return False
        proposal.category = category
        log(proposal, "wagtail.edit", user=editor, data={"category": str(category or "")})
    return True
