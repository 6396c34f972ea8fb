"""Casting, replacing and withdrawing ballots: the only code that writes them.

Every entry point (API, page form, commands) calls these functions, so the
rules are checked once. Each write changes the ballot and the tally in one
transaction and schedules the broadcast for after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult import permissions, signals
from consult.exceptions import AlreadyVoted, NoBallot
from consult.models import Ballot, Participation, Question
from consult.realtime.broadcast import publish_question
from consult.voting import statements
from consult.voting.digest import ballot_digest
from consult.voting.methods.base import Counts
from consult.voting.registry import get_method
from consult.voting.retry import retry_when_locked


@dataclass(frozen=True)
class CastResult:
    created: bool
    content: dict[str, Any]


def cast_ballot(user, question: Question, body: Any) -> CastResult:
    """Record ``user``'s ballot on ``question``, or replace it where allowed.

    Raises a ``ConsultError`` (not authenticated, not eligible, phase, already
    voted, invalid ballot) without writing anything.
    """
    page = question.page
    refusal = permissions.voting_refusal(user, page)
    if refusal:
        raise refusal
    method = get_method(question.method)
    # A queryset, evaluated (once) only by the methods that look at options.
    content = method.clean(question, body, question.options.all())
    digest = ballot_digest(question.pk, user.pk)

    @transaction.atomic
    def write() -> bool:
        created = statements.insert_ballot(question.pk, user.pk, digest, content)
        if created:
            deltas = method.counts(content)
            ballots_delta = 1
        else:
            if not page.allow_vote_change:
                raise AlreadyVoted()
            ballot = Ballot.objects.select_for_update().filter(question=question, digest=digest)
            ballot = ballot.first()
            if ballot is None:
                # The ballot key changed since this vote: it still counts, but
                # its voter can no longer be matched to it.
                raise AlreadyVoted(_("Your earlier ballot can no longer be changed."))
            deltas = _difference(method.counts(content), method.counts(ballot.content))
            ballot.content = content
            ballot.save(update_fields=["content"])
            ballots_delta = 0

        statements.add_to_tally(question.pk, ballots_delta, deltas)
        signals.ballot_cast.send(Question, question=question, voter=user, created=created)
        transaction.on_commit(lambda: publish_question(question.pk))
        return created

    created = retry_when_locked(write)
    return CastResult(created=created, content=content)


def retract_ballot(user, question: Question) -> None:
    """Withdraw ``user``'s ballot while voting is open and changes are allowed."""
    page = question.page
    refusal = permissions.voting_refusal(user, page)
    if refusal:
        raise refusal
    if not page.allow_vote_change:
        raise AlreadyVoted(_("Ballots on this question cannot be withdrawn."))
    method = get_method(question.method)

    @transaction.atomic
    def write() -> None:
        deleted, _detail = Participation.objects.filter(question=question, voter=user).delete()
        if not deleted:
            raise NoBallot()
        ballot = (
            Ballot.objects.select_for_update()
            .filter(question=question, digest=ballot_digest(question.pk, user.pk))
            .first()
        )
        if ballot is None:
            raise AlreadyVoted(_("Your earlier ballot can no longer be changed."))
        deltas = {key: (-v, -t) for key, (v, t) in method.counts(ballot.content).items()}
        ballot.delete()
        statements.add_to_tally(question.pk, -1, deltas)
        signals.ballot_retracted.send(Question, question=question, voter=user)
        transaction.on_commit(lambda: publish_question(question.pk))

    retry_when_locked(write)


def own_ballot(user, question: Question) -> dict[str, Any] | None:
    """``user``'s stored ballot content, or None if they have not voted.

    Returns ``{}`` for a voter whose ballot exists but may not be shown
    (secret ballots, or one no longer matched after a key change).
    """
    if not permissions.is_signed_in(user):
        return None
    if not Participation.objects.filter(question=question, voter=user).exists():
        return None
    if question.page.ballot_secrecy == "secret":
        return {}
    content = (
        Ballot.objects.filter(question=question, digest=ballot_digest(question.pk, user.pk))
        .values_list("content", flat=True)
        .first()
    )
    return content or {}


def _difference(new: Counts, old: Counts) -> Counts:
    keys = set(new) | set(old)
    zero = (0, 0)
    return {
        key: (
            new.get(key, zero)[0] - old.get(key, zero)[0],
            new.get(key, zero)[1] - old.get(key, zero)[1],
        )
        for key in keys
    }
