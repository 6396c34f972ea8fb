"""Refusals of the contribution services, in the ``{code, detail}`` shape of
``consult.exceptions`` (the API and the page forms report them alike)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from consult.exceptions import ConsultError


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
    """For the page forms; the API raises DRF's ``Throttled`` (with ``Retry-After``)."""

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
