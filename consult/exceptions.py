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


class TranslationOutOfDate(ConsultError):
    code = "translation_out_of_date"
    status = 409
    default_detail = _(
        "This translation of the consultation is out of date. Please vote in its original "
        "language until it is updated."
    )


# Refusals of the contribution services.


class InvalidContribution(ConsultError):
    code = "invalid"
    status = 400
    default_detail = _("The contribution is not valid.")


class CommentsDisabled(ConsultError):
    code = "comments_disabled"
    status = 409
    default_detail = _("Comments are switched off for this consultation.")


class NotAuthor(ConsultError):
    code = "permission_denied"
    status = 403
    default_detail = _("Only its author may change this.")


class NotEditable(ConsultError):
    code = "not_editable"
    status = 409
    default_detail = _("This can no longer be changed.")


class NotFound(ConsultError):
    code = "not_found"
    status = 404
    default_detail = _("Not found.")


class AlreadyReported(ConsultError):
    code = "already_reported"
    status = 409
    default_detail = _("You have already reported this.")


class NoSupport(ConsultError):
    code = "no_support"
    status = 404
    default_detail = _("You have not supported this proposal.")


class OwnProposal(ConsultError):
    code = "own_proposal"
    status = 409
    default_detail = _("You cannot support your own proposal.")


class Throttled(ConsultError):
    """Too many writes; ``wait`` (seconds) becomes the ``Retry-After`` header."""

    code = "throttled"
    status = 429
    default_detail = _("Too many requests. Please wait a moment and try again.")

    def __init__(self, wait: float | None = None):
        self.wait = wait
        detail = None
        if wait is not None:
            detail = _("Too many requests. Try again in %(seconds)d seconds.") % {
                "seconds": int(wait) + 1
            }
        super().__init__(detail)


class NotPublished(ConsultError):
    code = "not_published"
    status = 409
    default_detail = _("Only published proposals can be supported.")


class NotModerator(ConsultError):
    code = "permission_denied"
    status = 403
    default_detail = _("You may not moderate contributions.")


class CensusEntryClaimed(ConsultError):
    code = "census_entry_claimed"
    status = 409
    default_detail = _(
        "These details are already confirmed for another account. If that is not you, "
        "contact the organisers."
    )


class UnknownReceipt(ConsultError):
    code = "unknown_receipt"
    status = 404
    default_detail = _("No ballot has this receipt. Check that you copied all of it.")


class SigningKeyMissing(ConsultError):
    code = "not_configured"
    status = 503
    default_detail = _("This site cannot sign results bundles yet: it has no signing key.")


class InvalidPreference(ConsultError):
    code = "invalid"
    status = 400
    default_detail = _("The notification preferences are not valid.")


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
