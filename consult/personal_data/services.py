"""Export, account deletion and retention.

Deleting an account keeps its ballots counted: a ballot row carries no user,
only a keyed digest of question and account id, and nothing is left that
would recompute it for a deleted account. Its ``Participation`` rows (who
voted) go with the account. A census entry it claimed stays used (``claimed_at``
set, ``claimed_by`` empty) and a voting code it signed in with stays used
up, so deleting an account is no way to vote twice. Its supports are
withdrawn (the counters follow). Proposals and comments are kept as a
"former participant" or removed, as ``CONSULT["ON_ACCOUNT_DELETE"]`` says.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consult import conf
from consult.eligibility.accounts import is_signed_in
from consult.exceptions import NotAuthenticated
from consult.models import (
    ApiToken,
    Ballot,
    CensusEntry,
    Comment,
    Participant,
    Participation,
    Proposal,
    Report,
    Support,
)
from consult.voting.digest import ballot_digest

ANONYMISE, DELETE = "anonymise", "delete"


def _when(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> dict[str, Any]:
    """Everything the app holds about ``user``, as JSON-ready data."""
    if not is_signed_in(user):
        raise NotAuthenticated()
    participations = Participation.objects.filter(voter=user).select_related("question__page")
    ballots = []
    for participation in participations:
        question = participation.question
        content = (
            Ballot.objects.filter(question=question, digest=ballot_digest(question.pk, user.pk))
            .values_list("content", flat=True)
            .first()
        )
        ballots.append(
            {
                "consultation": question.page.title,
                "question": question.title,
                "voted_at": _when(participation.created_at),
                "ballot": content,
            }
        )
    data: dict[str, Any] = {
        "account": {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "date_joined": _when(getattr(user, "date_joined", None)),
            "last_login": _when(user.last_login),
        },
        "ballots": ballots,
        "proposals": list(
            Proposal.objects.filter(author=user).values(
                "id", "page_id", "title", "body", "status", "created_at"
            )
        ),
        "comments": list(
            Comment.objects.filter(author=user).values(
                "id", "page_id", "proposal_id", "body", "stance", "status", "created_at"
            )
        ),
        "supports": list(Support.objects.filter(user=user).values_list("proposal_id", flat=True)),
        "reports": list(
            Report.objects.filter(reporter=user).values(
                "comment_id", "proposal_id", "reason", "details", "created_at"
            )
        ),
        "api_tokens": list(
            ApiToken.objects.filter(user=user).values("name", "scope", "created_at")
        ),
        "census_entries": list(
            CensusEntry.objects.filter(claimed_by=user).values(
                "census__name", "postcode", "birth_year", "claimed_at"
            )
        ),
        "voting_code": Participant.objects.filter(user=user)
        .values_list("page__title", flat=True)
        .first(),
    }
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        data["email_addresses"] = list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        )
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        data["identity_providers"] = list(
            SocialAccount.objects.filter(user=user).values("provider", "uid", "extra_data")
        )
    return _plain(data)


def _plain(value):
    """Datetimes as ISO text, so the export is JSON as it is."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def delete_account(user) -> None:
    """Delete ``user``'s account (see the module docstring for what remains)."""
    if not is_signed_in(user):
        raise NotAuthenticated()
    mode = conf.get("ON_ACCOUNT_DELETE")
    if mode not in (ANONYMISE, DELETE):
        raise ImproperlyConfigured('CONSULT["ON_ACCOUNT_DELETE"] must be "anonymise" or "delete"')
    with transaction.atomic():
        supported = list(Support.objects.filter(user=user).values_list("proposal_id", flat=True))
        Proposal.objects.filter(pk__in=supported).update(supports=F("supports") - 1)
        Support.objects.filter(user=user).delete()
        CensusEntry.objects.filter(claimed_by=user).update(claimed_by=None)
        if mode == DELETE:
            Proposal.objects.filter(author=user).delete()
            Comment.objects.filter(author=user).update(
                body="", deleted_at=timezone.now(), author=None
            )
        user.delete()


def unlink_closed(days: int, now=None) -> int:
    """Delete who-voted records of consultations whose voting closed more than
    ``days`` ago; ballots and tallies stay. Returns the number removed."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed, _by_model = Participation.objects.filter(
        question__page__voting_close_at__lt=cutoff
    ).delete()
    return removed
