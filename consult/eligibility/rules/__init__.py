"""The shipped rules. Each reads what it needs once per check (``Check.remember``)."""

from consult.eligibility.base import EligibilityRule

from .accounts import EmailDomain, Group, VerifiedEmail
from .age import MinimumAge
from .census import CensusRule
from .codes import VotingCodeRule
from .identity import IdentityProvider

BUILTIN_RULES: list[type[EligibilityRule]] = [
    VerifiedEmail,
    Group,
    EmailDomain,
    CensusRule,
    IdentityProvider,
    MinimumAge,
    VotingCodeRule,
]

__all__ = [
    "BUILTIN_RULES",
    "CensusRule",
    "EmailDomain",
    "Group",
    "IdentityProvider",
    "MinimumAge",
    "VerifiedEmail",
    "VotingCodeRule",
]
