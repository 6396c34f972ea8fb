"""Who may do what: pure predicates, used by the pages, the API and the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consult import conf
from consult.exceptions import (
    ConsultError,
    EmailNotVerified,
    NotAuthenticated,
    VotingClosed,
    VotingNotOpen,
)

if TYPE_CHECKING:
    from consult.models import ConsultationPage


def has_verified_email(user) -> bool:
    if not conf.allauth_installed():
        return True
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def eligibility_refusal(user) -> ConsultError | None:
    """Why a signed-in ``user`` may not take part at all, or None."""
    if conf.get("REQUIRE_VERIFIED_EMAIL") and not has_verified_email(user):
        return EmailNotVerified()
    return None


def voting_refusal(user, page: ConsultationPage) -> ConsultError | None:
    """Why ``user`` may not cast, change or withdraw a ballot on ``page`` now, or None."""
    if not is_signed_in(user):
        return NotAuthenticated()
    state = page.voting_state()
    if state == "not_open":
        return VotingNotOpen()
    if state == "closed":
        return VotingClosed()
    return eligibility_refusal(user)


def results_visible(user, page: ConsultationPage) -> bool:
    """Whether ``user`` may see the tallies of ``page`` on the public side."""
    if page.results_visibility == "live":
        return True
    if page.results_visibility == "after_close":
        return page.voting_state() == "closed"
    return False
