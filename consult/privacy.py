"""Wagtail's page privacy, applied by every service.

A consultation that is not visible to someone under Wagtail's view
restrictions (sign-in, password or groups, set on it or on an ancestor) does
not exist for them anywhere: pages, API, websocket, blocks, exports. The
services ask here; entry points never decide it themselves.

Restrictions are few on any site, so they are read once per actor (one
query, plus one for the user's groups when a group restriction exists) and
turned into path prefixes to exclude.
"""

from __future__ import annotations

from django.db.models import Q
from wagtail.models import BaseViewRestriction, PageViewRestriction

from consult.actor import Actor, as_actor
from consult.exceptions import NotFound
from consult.models import ConsultationPage

_MEMO = "privacy.failed_paths"
#: Where a loader that read it along with the page (``consult.voting.lookup``)
#: records that no restriction applies to it, so none need be read.
_UNRESTRICTED = "_consult_unrestricted"


def remember_restricted(page, restricted: bool) -> None:
    setattr(page, _UNRESTRICTED, not restricted)


def failed_paths(actor: Actor) -> tuple[str, ...]:
    """Tree paths of the restricted pages whose restriction ``actor`` fails."""
    if _MEMO in actor.memo:
        return actor.memo[_MEMO]
    restrictions = list(
        PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    )
    groups: set[int] | None = None
    failed = []
    for restriction in restrictions:
        if restriction.restriction_type == BaseViewRestriction.GROUPS and groups is None:
            groups = _group_ids(actor)
        if not _passes(actor, restriction, groups):
            failed.append(restriction.page.path)
    actor.memo[_MEMO] = tuple(failed)
    return actor.memo[_MEMO]


def _group_ids(actor: Actor) -> set[int]:
    if not actor.signed_in:
        return set()
    return set(actor.user.groups.values_list("pk", flat=True))


def _passes(actor: Actor, restriction: PageViewRestriction, groups: set[int] | None) -> bool:
    kind = restriction.restriction_type
    if kind == BaseViewRestriction.PASSWORD:
        return restriction.pk in actor.passed_restrictions
    if kind == BaseViewRestriction.LOGIN:
        return actor.signed_in
    if kind == BaseViewRestriction.GROUPS:
        if actor.signed_in and actor.user.is_superuser:
            return True
        return bool(groups & {group.pk for group in restriction.groups.all()})
    return True


def visible_q(actor: Actor, prefix: str = "") -> Q:
    """A filter keeping the pages ``actor`` may see (``prefix``: the lookup
    path to the page from the queried model, e.g. ``"page__"``)."""
    query = Q()
    for path in failed_paths(actor):
        query &= ~Q(**{f"{prefix}path__startswith": path})
    return query


def is_visible(actor: Actor, page) -> bool:
    if getattr(page, _UNRESTRICTED, False):
        return True
    path = getattr(page, "path", None)
    if path is None:
        return True  # an unsaved page (a preview): nothing restricts it yet
    return not any(path.startswith(failed) for failed in failed_paths(actor))


def require_visible(actor: Actor, page) -> None:
    """Raise ``NotFound`` when ``page`` is hidden from ``actor``: a
    restricted consultation does not exist for those it is hidden from."""
    if not is_visible(actor, page):
        raise NotFound()


def live_consultations(who):
    """The live consultations ``who`` (an Actor, a request or a user) may see."""
    return ConsultationPage.objects.live().filter(visible_q(as_actor(who)))


def live_consultation(who, page_id: int) -> ConsultationPage | None:
    """One live consultation if ``who`` may see it, else None."""
    return live_consultations(who).filter(pk=page_id).first()
