"""The errors every entry point (API, page forms, commands) reports the same way."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ConsultError(Exception):
    """A refusal with a stable machine ``code``, a translated ``detail`` and an HTTP status."""

    code = "error"
    status = 400
    default_detail: str | Promise = _("The request could not be processed.")

    def __init__(self, detail: str | Promise | None = None, **extra: Any):
        self.detail = detail if detail is not None else self.default_detail
        #: More members of the error body, e.g. ``rule`` and ``action_url`` of
        #: ``not_eligible``.
        self.extra = extra
        super().__init__(str(self.detail))


class NotAuthenticated(ConsultError):
    code = "not_authenticated"
    status = 401
    default_detail = _("You need to sign in first.")


class NotEligible(ConsultError):
    code = "not_eligible"
    status = 403
    default_detail = _("Your account is not allowed to take part here.")


class EmailNotVerified(NotEligible):
    default_detail = _("Please confirm your email address before you vote.")


class VotingNotOpen(ConsultError):
    code = "voting_not_open"
    status = 409
    default_detail = _("Voting has not started yet.")


class VotingClosed(ConsultError):
    code = "voting_closed"
    status = 409
    default_detail = _("Voting has closed.")


class ProposalsClosed(ConsultError):
    code = "proposals_closed"
    status = 409
    default_detail = _("Proposals are not being accepted now.")


class AlreadyVoted(ConsultError):
    code = "already_voted"
    status = 409
    default_detail = _("You have already voted on this question.")


class InvalidBallot(ConsultError):
    code = "invalid_ballot"
    status = 400
    default_detail = _("The ballot is not valid.")


class NoBallot(ConsultError):
    code = "no_ballot"
    status = 404
    default_detail = _("You have not voted on this question.")


class ResultsHidden(ConsultError):
    code = "results_hidden"
    status = 403
    default_detail = _("Results are not visible yet.")


class CensusEntryClaimed(ConsultError):
    code = "census_entry_claimed"
    status = 409
    default_detail = _(
        "These details are already confirmed for another account. If that is not you, "
        "contact the organisers."
    )
