"""The errors every entry point (API, page forms, commands) reports the same way."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ConsultError(Exception):
    """A refusal with a stable machine ``code``, a translated ``detail`` and an HTTP status."""

    code = "error"
    status = 400
    default_detail: str | Promise = _("The request could not be processed.")

    def __init__(self, detail: str | Promise | None = None):
        self.detail = detail if detail is not None else self.default_detail
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


class Unavailable(ConsultError):
    """The database (or another required service) cannot serve the request
    now; answered 503 with ``Retry-After``."""

    code = "unavailable"
    status = 503
    default_detail = _("The service is unavailable for a moment. Please try again shortly.")


def unavailable_cause(error: BaseException) -> bool:
    """Whether a database error means "down or busy, try again" (lost
    connection, refused connection, pool timeout, a locked SQLite file) rather
    than a bug: those are Django's OperationalError and InterfaceError."""
    from django.db import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError)
