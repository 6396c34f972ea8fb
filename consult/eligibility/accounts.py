"""Facts about an account the rules and the permission predicates share."""

from __future__ import annotations

from consult import conf

#: Where a loader that read it along with its own query leaves the answer
#: (``consult.voting.lookup``); it lives as long as the user object, a request.
_VERIFIED_EMAIL = "_consult_verified_email"

#: The domain of the (never delivered) address of accounts that voting codes
#: sign in: ``.invalid`` is reserved for this. Telling such an account apart
#: by its username costs no query on every other account's ballot.
PARTICIPANT_DOMAIN = "participant.invalid"


def remember_verified_email(user, verified: bool) -> None:
    setattr(user, _VERIFIED_EMAIL, verified)


def has_verified_email(user) -> bool:
    if not conf.allauth_installed():
        return True
    known = getattr(user, _VERIFIED_EMAIL, None)
    if known is not None:
        return known
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    remember_verified_email(user, verified)
    return verified


def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_code_participant(user) -> bool:
    return str(user.get_username()).endswith("@" + PARTICIPANT_DOMAIN)
