"""Casting, replacing and withdrawing ballots: the only code that writes them.

Every entry point (API, page form, websocket, commands, code calling in)
calls these functions with the question it was given, and they enforce every
rule themselves, in this order: page privacy, write limits, signed in, phase,
eligibility, the translation's original question, a valid ballot. A
question of a translated consultation counts on its original's question
(``consult.voting.translations``), so one person has one ballot per question
in every language. Each write changes the ballot and the tally in one
transaction and sends ``ballot_cast`` / ``ballot_retracted`` inside it; the
live results (``consult.realtime``) publish on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult import ledger, permissions, privacy, ratelimit, signals
from consult.actor import Actor, as_actor
from consult.exceptions import AlreadyVoted, NoBallot
from consult.ledger.receipts import receipt_for, receipt_hash
from consult.models import Ballot, Participation, Question
from consult.voting import statements, translations
from consult.voting.digest import ballot_digest
from consult.voting.methods.base import Counts
from consult.voting.registry import get_method


@dataclass(frozen=True)
class CastResult:
    created: bool
    content: dict[str, Any]
    #: The voter's receipt for this question (SPEC §11), the same on every ballot.
    receipt: str


def check_voting(actor: Actor, question: Question) -> None:
    """Raise the ``ConsultError`` that stops ``actor`` from casting, changing
    or withdrawing a ballot on ``question`` now (the ballot itself aside)."""
    privacy.require_visible(actor, question.page)
    # Before the other rules, as a refused write still costs a request.
    ratelimit.hit("ballot", actor)
    refusal = permissions.voting_refusal(actor.user, question.page)
    if refusal:
        raise refusal


def cast_ballot(who, question: Question, body: Any) -> CastResult:
    """Record the ballot of ``who`` (an Actor, a request or a user) on
    ``question``, or replace it where allowed.

    Raises a ``ConsultError`` (not found, not authenticated, not eligible,
    phase, throttled, already voted, invalid ballot, translation out of date)
    without writing anything. The content comes back in ``question``'s
    option ids.
    """
    actor = as_actor(who)
    check_voting(actor, question)
    shared, body = translations.resolve_ballot(question, body)
    page = shared.page
    user = actor.user
    method = get_method(shared.method)
    # A queryset, evaluated (once) only by the methods that look at options.
    content = method.clean(shared, body, shared.options.all())
    digest = ballot_digest(shared.pk, user.pk)
    receipt = receipt_for(shared.pk, user.pk)

    with transaction.atomic():
        created = statements.insert_ballot(shared.pk, user.pk, digest, content)
        if created:
            deltas = method.counts(content)
            ballots_delta = 1
        else:
            if not page.allow_vote_change:
                raise AlreadyVoted()
            ballot = Ballot.objects.select_for_update().filter(question=shared, digest=digest)
            ballot = ballot.first()
            if ballot is None:
                # The ballot key changed since this vote: it still counts, but
                # its voter can no longer be matched to it.
                raise AlreadyVoted(_("Your earlier ballot can no longer be changed."))
            deltas = _difference(method.counts(content), method.counts(ballot.content))
            ballot.content = content
            ballot.save(update_fields=["content"])
            ballots_delta = 0

        statements.add_to_tally(shared.pk, ballots_delta, deltas)
        event = "cast" if created else "replace"
        ledger.append(shared.pk, event, receipt_hash(receipt), content)
        signals.ballot_cast.send(Question, question=shared, voter=user, created=created)
    return CastResult(
        created=created,
        content=translations.to_translation(question, shared, content),
        receipt=receipt,
    )


def retract_ballot(who, question: Question) -> None:
    """Withdraw the ballot of ``who`` while voting is open and changes are allowed."""
    actor = as_actor(who)
    check_voting(actor, question)
    shared = translations.shared_question(question)
    if not shared.page.allow_vote_change:
        raise AlreadyVoted(_("Ballots on this question cannot be withdrawn."))
    user = actor.user
    method = get_method(shared.method)
    with transaction.atomic():
        deleted, _detail = Participation.objects.filter(question=shared, voter=user).delete()
        if not deleted:
            raise NoBallot()
        ballot = (
            Ballot.objects.select_for_update()
            .filter(question=shared, digest=ballot_digest(shared.pk, user.pk))
            .first()
        )
        if ballot is None:
            raise AlreadyVoted(_("Your earlier ballot can no longer be changed."))
        deltas = {key: (-v, -t) for key, (v, t) in method.counts(ballot.content).items()}
        ballot.delete()
        statements.add_to_tally(shared.pk, -1, deltas)
        ledger.append(shared.pk, "withdraw", receipt_hash(receipt_for(shared.pk, user.pk)), None)
        signals.ballot_retracted.send(Question, question=shared, voter=user)


def own_ballot(who, question: Question) -> dict[str, Any] | None:
    """The stored ballot content of ``who`` in ``question``'s option ids, or
    None if they have not voted (or may not see the question).

    Returns ``{}`` for a voter whose ballot exists but may not be shown
    (secret ballots, or one no longer matched after a key change).
    """
    actor = as_actor(who)
    if not actor.signed_in or not privacy.is_visible(actor, question.page):
        return None
    shared = translations.shared_question(question)
    if not Participation.objects.filter(question=shared, voter=actor.user).exists():
        return None
    if shared.page.ballot_secrecy == "secret":
        return {}
    content = (
        Ballot.objects.filter(question=shared, digest=ballot_digest(shared.pk, actor.user.pk))
        .values_list("content", flat=True)
        .first()
    )
    return translations.to_translation(question, shared, content) or {}


def own_receipt(who, question: Question) -> str | None:
    """The receipt of ``who`` for ``question`` (SPEC §11) if they have voted
    on it: it belongs to the shared question of a translation."""
    actor = as_actor(who)
    if not actor.signed_in or not privacy.is_visible(actor, question.page):
        return None
    shared = translations.shared_question(question)
    if not Participation.objects.filter(question=shared, voter=actor.user).exists():
        return None
    return receipt_for(shared.pk, actor.user.pk)


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
