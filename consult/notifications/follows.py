"""Who follows what: a consultation, or one proposal."""

from __future__ import annotations

from consult import conf, permissions
from consult.exceptions import NotAuthenticated
from consult.models import ConsultationPage, Follow, Proposal

Target = ConsultationPage | Proposal


def _lookup(target: Target) -> dict[str, Target]:
    return {"proposal": target} if isinstance(target, Proposal) else {"page": target}


def follow(user, target: Target) -> bool:
    """``user`` follows ``target``; False when they already did. Callers
    check first that ``user`` may see ``target``."""
    if not permissions.is_signed_in(user):
        raise NotAuthenticated()
    _, created = Follow.objects.get_or_create(user=user, **_lookup(target))
    return created


def unfollow(user, target: Target) -> bool:
    """``user`` stops following ``target``; False when they did not follow it."""
    if not permissions.is_signed_in(user):
        raise NotAuthenticated()
    deleted, _ = Follow.objects.filter(user=user, **_lookup(target)).delete()
    return bool(deleted)


def is_following(user, target: Target) -> bool:
    if not permissions.is_signed_in(user):
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
