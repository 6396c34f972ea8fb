"""Who may do what: pure predicates, used by the pages, the API and the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult import conf
from consult.eligibility.accounts import (  # noqa: F401 (re-exported for the ballot lookup)
    has_verified_email,
    is_signed_in,
    remember_verified_email,
)
from consult.eligibility.services import refusal as rules_refusal
from consult.exceptions import (
    CommentsDisabled,
    ConsultError,
    EmailNotVerified,
    NotAuthenticated,
    NotAuthor,
    NotEditable,
    NotPublished,
    ProposalsClosed,
    VotingClosed,
    VotingNotOpen,
)

if TYPE_CHECKING:
    from consult.models import Comment, ConsultationPage, Proposal


def eligibility_refusal(
    user, page: ConsultationPage | None = None, action: str = "vote"
) -> ConsultError | None:
    """Why a signed-in ``user`` may not take part in ``page`` by ``action``, or None:
    the page's eligibility rules (``consult.eligibility``)."""
    return rules_refusal(user, page, action)


def voting_refusal(user, page: ConsultationPage) -> ConsultError | None:
    """Why ``user`` may not cast, change or withdraw a ballot on ``page`` now, or None."""
    if not is_signed_in(user):
        return NotAuthenticated()
    state = page.voting_state()
    if state == "not_open":
        return VotingNotOpen()
    if state == "closed":
        return VotingClosed()
    return eligibility_refusal(user, page, "vote")


# Citizens' contributions. ``*_refusal`` says why not (a ConsultError the API
# and the pages report as is), ``can_*`` is the yes/no question for templates.

PUBLISHED = "published"
PENDING = "pending"


def proposals_open(page: ConsultationPage, now: datetime | None = None) -> bool:
    """Whether ``page`` takes proposals (and supports) now: its proposals window."""
    now = now or timezone.now()
    opens, closes = page.proposals_open_at, page.proposals_close_at
    return opens is not None and opens <= now and (closes is None or now < closes)


def participation_refusal(
    user, page: ConsultationPage | None = None, action: str = "comment"
) -> ConsultError | None:
    """Why ``user`` may not write contributions by ``action`` on ``page`` (signed
    in, eligible), or None. Without ``page``, the rules of a page without any."""
    if not is_signed_in(user):
        return NotAuthenticated()
    refusal = eligibility_refusal(user, page, action)
    if isinstance(refusal, EmailNotVerified):
        return EmailNotVerified(_("Please confirm your email address before you take part."))
    return refusal


def proposal_refusal(user, page: ConsultationPage) -> ConsultError | None:
    """Why ``user`` may not submit a proposal on ``page`` now, or None."""
    return participation_refusal(user, page, "propose") or (
        None if proposals_open(page) else ProposalsClosed()
    )


def can_propose(user, page: ConsultationPage) -> bool:
    return proposal_refusal(user, page) is None


def support_rule(proposal: Proposal) -> ConsultError | None:
    """Supports are counted for published proposals in the proposals phase."""
    if not proposals_open(proposal.page):
        return ProposalsClosed()
    if proposal.status != PUBLISHED:
        return NotPublished()
    return None


def support_refusal(user, proposal: Proposal) -> ConsultError | None:
    """Why ``user`` may not support ``proposal`` (or withdraw support) now, or None."""
    return participation_refusal(user, proposal.page, "support") or support_rule(proposal)


def can_support(user, proposal: Proposal) -> bool:
    return support_refusal(user, proposal) is None


def comment_refusal(user, page: ConsultationPage) -> ConsultError | None:
    """Why ``user`` may not comment on ``page``, or None."""
    refusal = participation_refusal(user, page, "comment")
    if refusal:
        return refusal
    return None if page.comments_enabled else CommentsDisabled()


def can_comment(user, page: ConsultationPage) -> bool:
    return comment_refusal(user, page) is None


def report_refusal(user) -> ConsultError | None:
    return participation_refusal(user)


def can_report(user) -> bool:
    return report_refusal(user) is None


def is_author(user, item) -> bool:
    return is_signed_in(user) and item.author_id is not None and item.author_id == user.pk


# The ``*_rule`` predicates look at the item alone (no query): pages check the
# requester's eligibility once and then every item with them.


def proposal_edit_rule(user, proposal: Proposal) -> ConsultError | None:
    if not is_author(user, proposal):
        return NotAuthor()
    if proposal.status != PENDING:
        return NotEditable(_("A proposal can only be changed while it awaits moderation."))
    if not proposals_open(proposal.page):
        return ProposalsClosed()
    return None


def proposal_edit_refusal(user, proposal: Proposal) -> ConsultError | None:
    """Authors edit their proposal while it waits for moderation, in the proposals phase."""
    return participation_refusal(user, proposal.page, "propose") or proposal_edit_rule(
        user, proposal
    )


def can_edit_proposal(user, proposal: Proposal) -> bool:
    return proposal_edit_refusal(user, proposal) is None


def proposal_withdraw_refusal(user, proposal: Proposal) -> ConsultError | None:
    if not is_signed_in(user):
        return NotAuthenticated()
    if not is_author(user, proposal):
        return NotAuthor()
    if proposal.status not in (PENDING, PUBLISHED):
        return NotEditable(_("This proposal can no longer be withdrawn."))
    return None


def can_withdraw_proposal(user, proposal: Proposal) -> bool:
    return proposal_withdraw_refusal(user, proposal) is None


def comment_edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(seconds=int(conf.get("COMMENT_EDIT_WINDOW")))


def comment_edit_rule(user, comment: Comment, now: datetime | None = None) -> ConsultError | None:
    if not is_author(user, comment):
        return NotAuthor()
    if comment.deleted_at is not None or comment.status not in (PENDING, PUBLISHED):
        return NotEditable()
    if not comment.page.comments_enabled:
        return CommentsDisabled()
    if (now or timezone.now()) > comment_edit_deadline(comment):
        return NotEditable(_("The time for editing this comment has passed."))
    return None


def comment_edit_refusal(
    user, comment: Comment, now: datetime | None = None
) -> ConsultError | None:
    """Authors edit a comment within ``COMMENT_EDIT_WINDOW`` seconds of posting it."""
    return participation_refusal(user, comment.page, "comment") or comment_edit_rule(
        user, comment, now
    )


def can_edit_comment(user, comment: Comment, now: datetime | None = None) -> bool:
    return comment_edit_refusal(user, comment, now) is None


def comment_delete_refusal(user, comment: Comment) -> ConsultError | None:
    """Authors may delete their comment at any time; it stays as a placeholder."""
    if not is_signed_in(user):
        return NotAuthenticated()
    if not is_author(user, comment):
        return NotAuthor()
    if comment.deleted_at is not None:
        return NotEditable(_("This comment has already been removed."))
    return None


def can_delete_comment(user, comment: Comment) -> bool:
    return comment_delete_refusal(user, comment) is None


def can_reply_to(comment: Comment) -> bool:
    """Whether ``comment`` takes replies (the commenter's own right aside)."""
    from consult.models.comments import MAX_COMMENT_DEPTH

    return (
        comment.status == PUBLISHED
        and comment.deleted_at is None
        and comment.depth < MAX_COMMENT_DEPTH
    )


def can_see_proposal(user, proposal: Proposal) -> bool:
    """Published proposals are public; the others only their author sees."""
    return proposal.status == PUBLISHED or is_author(user, proposal)


def can_see_comment(user, comment: Comment) -> bool:
    """Published comments are public; a pending one only its author sees."""
    return comment.status == PUBLISHED or (comment.status == PENDING and is_author(user, comment))


def can_moderate(user, model) -> bool:
    """Moderators hold the model's ``change`` permission (``consult.change_proposal``,
    ``consult.change_comment``): the "Consultation moderators" group has both."""
    return (
        user is not None
        and user.is_active
        and user.has_perm(f"consult.change_{model._meta.model_name}")
    )


def can_answer(user) -> bool:
    """Giving proposals their official answer is an editor's change of the proposal."""
    from consult.models import Proposal

    return can_moderate(user, Proposal)
