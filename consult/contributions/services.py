"""Citizens' writes: proposals, supports, comments, reports.

Every entry point (API, page forms, commands) calls these functions with
``who`` (an ``Actor``, a request or a user), so the rules are checked once:
page privacy, write limits, permission and phase, input. Each writes nothing
on refusal (raising a ``ConsultError``), writes in one transaction, sends its
signal there, and leaves the outside world (websocket broadcast, emails) to
receivers that wait for ``transaction.on_commit``.

Counters that live updates number are changed with ``F()`` in the same
transaction: ``Proposal.supports``/``Proposal.version`` for supports and
``CommentFeed.version`` for what the public sees of a consultation's comments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import conf, permissions, privacy, ratelimit, signals
from consult.actor import Actor, as_actor
from consult.contributions.text import clean_text
from consult.exceptions import (
    AlreadyReported,
    InvalidContribution,
    NoSupport,
    NotEditable,
    NotFound,
)
from consult.models import (
    Category,
    Comment,
    CommentFeed,
    ConsultationPage,
    Proposal,
    Report,
    Support,
)
from consult.models.comments import MAX_COMMENT_DEPTH, ReportReason, Stance

PUBLISHED = "published"
PENDING = "pending"
WITHDRAWN = "withdrawn"
TITLE_MAX_LENGTH = 200
REPORT_DETAILS_MAX_LENGTH = 1000


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" in partial updates.
UNSET: Any = _Unset()


@dataclass(frozen=True)
class SupportResult:
    changed: bool
    supports: int


# ------------------------------------------------------------------ proposals


def submit_proposal(
    who,
    page: ConsultationPage,
    *,
    title: object = None,
    body: object = None,
    category: object = None,
    latitude: object = None,
    longitude: object = None,
) -> Proposal:
    """A new proposal by ``user``: ``pending`` under pre-moderation, else ``published``.

    ``category`` is a ``Category``, its id or None; ``latitude``/``longitude``
    are both given (numbers, -90..90 and -180..180) or both None.
    """
    actor = _visible_to(who, page)
    user = actor.user
    ratelimit.hit("proposal", actor)
    refusal = permissions.proposal_refusal(user, page)
    if refusal:
        raise refusal
    fields = {
        "title": _clean_title(title),
        "body": _clean_proposal_body(body),
        "category": _category(category),
        **_location(latitude, longitude),
    }
    status = PENDING if page.moderation == "pre" else PUBLISHED
    with transaction.atomic():
        proposal = Proposal.objects.create(page=page, author=user, status=status, **fields)
        signals.proposal_submitted.send(Proposal, proposal=proposal, user=user)
    return proposal


def edit_proposal(
    who,
    proposal: Proposal,
    *,
    title: object = UNSET,
    body: object = UNSET,
    category: object = UNSET,
    latitude: object = UNSET,
    longitude: object = UNSET,
) -> Proposal:
    """The author changes their proposal while it awaits moderation."""
    actor = _visible_to(who, proposal.page)
    user = actor.user
    ratelimit.hit("proposal", actor)
    refusal = permissions.proposal_edit_refusal(user, proposal)
    if refusal:
        raise refusal
    changes: dict[str, Any] = {}
    if title is not UNSET:
        changes["title"] = _clean_title(title)
    if body is not UNSET:
        changes["body"] = _clean_proposal_body(body)
    if category is not UNSET:
        changes["category"] = _category(category)
    if latitude is not UNSET or longitude is not UNSET:
        changes.update(
            _location(
                proposal.latitude if latitude is UNSET else latitude,
                proposal.longitude if longitude is UNSET else longitude,
            )
        )
    with transaction.atomic():
        fresh = _locked(Proposal, proposal.pk)
        refusal = permissions.proposal_edit_refusal(user, fresh)
        if refusal:  # a moderator decided meanwhile
            raise refusal
        for name, value in changes.items():
            setattr(fresh, name, value)
        if changes:
            fresh.save(update_fields=[*changes, "updated_at"])
        signals.proposal_edited.send(Proposal, proposal=fresh, user=user)
    return fresh


def withdraw_proposal(who, proposal: Proposal) -> Proposal:
    """The author takes their proposal back (status ``withdrawn``)."""
    actor = _visible_to(who, proposal.page)
    user = actor.user
    ratelimit.hit("proposal", actor)
    refusal = permissions.proposal_withdraw_refusal(user, proposal)
    if refusal:
        raise refusal
    with transaction.atomic():
        fresh = _locked(Proposal, proposal.pk)
        refusal = permissions.proposal_withdraw_refusal(user, fresh)
        if refusal:
            raise refusal
        fresh.status = WITHDRAWN
        fresh.save(update_fields=["status", "updated_at"])
        signals.proposal_withdrawn.send(Proposal, proposal=fresh, user=user)
    return fresh


def support_proposal(who, proposal: Proposal) -> SupportResult:
    """``user`` supports ``proposal`` (once: a second call changes nothing)."""
    actor = _visible_to(who, proposal.page)
    user = actor.user
    ratelimit.hit("support", actor)
    refusal = permissions.support_refusal(user, proposal)
    if refusal:
        raise refusal
    with transaction.atomic():
        try:
            with transaction.atomic():
                Support.objects.create(proposal=proposal, user=user)
        except IntegrityError:  # the database's one-support-per-citizen rule
            changed = False
        else:
            changed = True
            _count_support(proposal.pk, +1)
            signals.proposal_supported.send(Proposal, proposal=proposal, user=user, supported=True)
        supports = Proposal.objects.filter(pk=proposal.pk).values_list("supports", flat=True)
        return SupportResult(changed=changed, supports=supports.get())


def withdraw_support(who, proposal: Proposal) -> SupportResult:
    """``user`` takes their support back; ``NoSupport`` if they had none."""
    actor = _visible_to(who, proposal.page)
    user = actor.user
    ratelimit.hit("support", actor)
    refusal = permissions.support_refusal(user, proposal)
    if refusal:
        raise refusal
    with transaction.atomic():
        deleted, _detail = Support.objects.filter(proposal=proposal, user=user).delete()
        if not deleted:
            raise NoSupport()
        _count_support(proposal.pk, -1)
        signals.proposal_supported.send(Proposal, proposal=proposal, user=user, supported=False)
        supports = Proposal.objects.filter(pk=proposal.pk).values_list("supports", flat=True)
        return SupportResult(changed=True, supports=supports.get())


def _count_support(proposal_id: int, delta: int) -> None:
    Proposal.objects.filter(pk=proposal_id).update(
        supports=F("supports") + delta, version=F("version") + 1
    )


# ------------------------------------------------------------------- comments


def post_comment(
    who,
    page: ConsultationPage,
    *,
    body: object = None,
    stance: object = Stance.NEUTRAL,
    parent: object = None,
    proposal: object = None,
) -> Comment:
    """A comment on ``page`` or on one of its proposals, or a reply to a comment.

    ``parent``/``proposal`` are instances, ids or None. A reply belongs to its
    parent's proposal; replies nest ``MAX_COMMENT_DEPTH`` deep at most.
    """
    actor = _visible_to(who, page)
    user = actor.user
    ratelimit.hit("comment", actor)
    refusal = permissions.comment_refusal(user, page)
    if refusal:
        raise refusal
    text = _clean_comment_body(body)
    stance = _stance(stance)
    target = _comment_proposal(user, page, proposal)
    parent_comment = _comment_parent(user, page, parent)
    if parent_comment is not None:
        if target is not None and parent_comment.proposal_id != target.pk:
            raise InvalidContribution(
                _("The reply must be about the same proposal as its comment.")
            )
        target = parent_comment.proposal
        if parent_comment.depth >= MAX_COMMENT_DEPTH:
            raise InvalidContribution(
                _("Replies can be nested %(depth)d levels deep at most.")
                % {"depth": MAX_COMMENT_DEPTH}
            )
    status = PENDING if page.moderation == "pre" else PUBLISHED
    with transaction.atomic():
        comment = Comment.objects.create(
            page=page,
            proposal=target,
            parent=parent_comment,
            thread_id=(parent_comment.thread_id or parent_comment.pk) if parent_comment else None,
            depth=parent_comment.depth + 1 if parent_comment else 1,
            author=user,
            body=text,
            stance=stance,
            status=status,
        )
        if status == PUBLISHED:
            comments_changed(page.pk)
        signals.comment_posted.send(Comment, comment=comment, user=user)
    return comment


def edit_comment(who, comment: Comment, *, body: object = UNSET, stance: object = UNSET) -> Comment:
    """The author edits their comment within ``COMMENT_EDIT_WINDOW`` seconds.

    Under pre-moderation an edited published comment waits for moderation
    again, so an approved comment cannot be turned into another one.
    """
    actor = _visible_to(who, comment.page)
    user = actor.user
    ratelimit.hit("comment", actor)
    refusal = permissions.comment_edit_refusal(user, comment)
    if refusal:
        raise refusal
    changes: dict[str, Any] = {}
    if body is not UNSET:
        changes["body"] = _clean_comment_body(body)
    if stance is not UNSET:
        changes["stance"] = _stance(stance)
    with transaction.atomic():
        fresh = _locked(Comment, comment.pk)
        refusal = permissions.comment_edit_refusal(user, fresh)
        if refusal:
            raise refusal
        changes = {name: value for name, value in changes.items() if getattr(fresh, name) != value}
        if not changes:
            return fresh
        was_public = fresh.status == PUBLISHED
        if was_public and fresh.page.moderation == "pre":
            changes["status"] = PENDING
        changes["edited_at"] = timezone.now()
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh.save(update_fields=[*changes, "updated_at"])
        if was_public:
            comments_changed(fresh.page_id)
        signals.comment_edited.send(Comment, comment=fresh, user=user)
    return fresh


def delete_comment(who, comment: Comment) -> Comment:
    """The author removes their comment: its text is blanked for good, the
    comment stays as a placeholder so replies keep their place."""
    actor = _visible_to(who, comment.page)
    user = actor.user
    ratelimit.hit("comment", actor)
    refusal = permissions.comment_delete_refusal(user, comment)
    if refusal:
        raise refusal
    with transaction.atomic():
        fresh = _locked(Comment, comment.pk)
        refusal = permissions.comment_delete_refusal(user, fresh)
        if refusal:
            raise refusal
        fresh.body = ""
        fresh.deleted_at = timezone.now()
        fresh.save(update_fields=["body", "deleted_at", "updated_at"])
        if fresh.status == PUBLISHED:
            comments_changed(fresh.page_id)
        signals.comment_deleted.send(Comment, comment=fresh, user=user)
    return fresh


def comments_changed(page_id: int) -> None:
    """Number a change of ``page_id``'s public comments (in the caller's
    transaction) and say so with ``signals.comments_changed``."""
    updated = CommentFeed.objects.filter(page_id=page_id).update(version=F("version") + 1)
    if not updated:
        try:
            with transaction.atomic():
                CommentFeed.objects.create(page_id=page_id, version=1)
        except IntegrityError:  # a concurrent transaction just created it
            CommentFeed.objects.filter(page_id=page_id).update(version=F("version") + 1)
    signals.comments_changed.send(CommentFeed, page_id=page_id)


# -------------------------------------------------------------------- reports


def report(who, item: Comment | Proposal, *, reason: object = None, details: object = "") -> Report:
    """``user`` reports a comment or proposal they can see, once per item."""
    actor = _visible_to(who, item.page)
    user = actor.user
    ratelimit.hit("report", actor)
    refusal = permissions.report_refusal(user)
    if refusal:
        raise refusal
    if isinstance(item, Comment):
        if not permissions.can_see_comment(user, item):
            raise NotFound()
        if item.deleted_at is not None:
            raise NotEditable(_("This comment has been removed."))
        target = {"comment": item}
    else:
        if not permissions.can_see_proposal(user, item):
            raise NotFound()
        target = {"proposal": item}
    if not isinstance(reason, str) or reason not in ReportReason.values:
        raise InvalidContribution(
            _("reason: must be one of %(values)s.") % {"values": ", ".join(ReportReason.values)}
        )
    text = clean_text(
        details,
        field=_("details"),
        max_length=REPORT_DETAILS_MAX_LENGTH,
        required=reason == ReportReason.OTHER,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = Report.objects.create(
                    reporter=user, reason=reason, details=text, **target
                )
        except IntegrityError:
            raise AlreadyReported() from None
        signals.contribution_reported.send(Report, report=created, user=user)
    return created


# ---------------------------------------------------------------- validation


def _visible_to(who, page: ConsultationPage) -> Actor:
    """``who`` as an Actor, or ``NotFound`` when page privacy hides ``page`` from them."""
    actor = as_actor(who)
    privacy.require_visible(actor, page)
    return actor


def _locked(model, pk: int):
    """The row, locked until the end of the transaction (PostgreSQL), so a
    moderator's decision and the author's change are applied one after the other."""
    return model.objects.select_for_update().select_related("page").get(pk=pk)


def _clean_title(value: object) -> str:
    return clean_text(value, field=_("title"), max_length=TITLE_MAX_LENGTH, multiline=False)


def _clean_proposal_body(value: object) -> str:
    return clean_text(value, field=_("body"), max_length=int(conf.get("PROPOSAL_MAX_LENGTH")))


def _clean_comment_body(value: object) -> str:
    return clean_text(value, field=_("body"), max_length=int(conf.get("COMMENT_MAX_LENGTH")))


def _stance(value: object) -> str:
    if value is None or value == "":
        return Stance.NEUTRAL
    if value not in Stance.values:
        raise InvalidContribution(
            _("stance: must be one of %(values)s.") % {"values": ", ".join(Stance.values)}
        )
    return str(value)


def _id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidContribution(_("%(field)s: must be an id.") % {"field": field})
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InvalidContribution(_("%(field)s: must be an id.") % {"field": field})
    return int(text)


def _category(value: object) -> Category | None:
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        return value
    category = Category.objects.filter(pk=_id(value, "category")).first()
    if category is None:
        raise InvalidContribution(_("category: there is no such category."))
    return category


def _coordinate(value: object, field: str, limit: int) -> Decimal:
    if isinstance(value, bool):
        raise InvalidContribution(_("%(field)s: must be a number.") % {"field": field})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidContribution(_("%(field)s: must be a number.") % {"field": field}) from None
    if not number.is_finite() or not math.isfinite(float(number)) or abs(number) > limit:
        raise InvalidContribution(
            _("%(field)s: must be between -%(limit)d and %(limit)d.")
            % {"field": field, "limit": limit}
        )
    return number.quantize(Decimal("0.000001"))


def _location(latitude: object, longitude: object) -> dict[str, Decimal | None]:
    empty = (None, "")
    if latitude in empty and longitude in empty:
        return {"latitude": None, "longitude": None}
    if latitude in empty or longitude in empty:
        raise InvalidContribution(_("location: give both latitude and longitude, or neither."))
    return {
        "latitude": _coordinate(latitude, "latitude", 90),
        "longitude": _coordinate(longitude, "longitude", 180),
    }


def _comment_proposal(user, page: ConsultationPage, value: object) -> Proposal | None:
    if value is None or value == "":
        return None
    proposal_id = value.pk if isinstance(value, Proposal) else _id(value, "proposal")
    proposal = Proposal.objects.filter(pk=proposal_id, page=page).select_related("page").first()
    if proposal is None or proposal.status != PUBLISHED:
        raise InvalidContribution(_("proposal: there is no such published proposal here."))
    return proposal


def _comment_parent(user, page: ConsultationPage, value: object) -> Comment | None:
    if value is None or value == "":
        return None
    parent_id = value.pk if isinstance(value, Comment) else _id(value, "parent")
    parent = Comment.objects.filter(pk=parent_id, page=page).select_related("proposal").first()
    if parent is None or not permissions.can_see_comment(user, parent):
        raise InvalidContribution(_("parent: there is no such comment here."))
    if parent.status != PUBLISHED:
        raise InvalidContribution(_("parent: replies wait until that comment is published."))
    if parent.deleted_at is not None:
        raise InvalidContribution(_("parent: that comment has been removed."))
    if parent.proposal is not None and parent.proposal.status != PUBLISHED:
        raise InvalidContribution(_("parent: that comment's proposal is not published."))
    return parent
