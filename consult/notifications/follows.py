"""Who follows what: a consultation, or one proposal."""

from __future__ import annotations

from consult import conf, privacy, ratelimit
from consult.actor import Actor, as_actor
from consult.exceptions import NotAuthenticated
from consult.models import ConsultationPage, Follow, Proposal

Target = ConsultationPage | Proposal


def _lookup(target: Target) -> dict[str, Target]:
    return {"proposal": target} if isinstance(target, Proposal) else {"page": target}


def _page(target: Target) -> ConsultationPage:
    return target.page if isinstance(target, Proposal) else target


def _signed_in(who, target: Target) -> Actor:
    actor = as_actor(who)
    privacy.require_visible(actor, _page(target))
    if not actor.signed_in:
        raise NotAuthenticated()
    ratelimit.hit("follow", actor)
    return actor


def follow(who, target: Target) -> bool:
    """``who`` (an Actor, a request or a user) follows ``target``; False when
    they already did. Entry points first check that a proposal is one ``who``
    may see; page privacy is checked here."""
    actor = _signed_in(who, target)
    _, created = Follow.objects.get_or_create(user=actor.user, **_lookup(target))
    return created


def unfollow(who, target: Target) -> bool:
    """``who`` stops following ``target``; False when they did not follow it."""
    actor = _signed_in(who, target)
    deleted, _ = Follow.objects.filter(user=actor.user, **_lookup(target)).delete()
    return bool(deleted)


def is_following(user, target: Target) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **_lookup(target)).exists()


def follow_after(action: str, user, targets: list[Target]) -> None:
    """Make ``user`` follow ``targets`` after ``action`` ("propose",
    "support", "comment") when ``CONSULT["AUTO_FOLLOW"]`` lists it.

    One INSERT that ignores existing follows: it runs inside the writer's
    transaction, where a failed insert would need a savepoint.
    """
    if user is None or action not in conf.get("AUTO_FOLLOW"):
        return
    Follow.objects.bulk_create(
        [Follow(user=user, **_lookup(target)) for target in targets], ignore_conflicts=True
    )
