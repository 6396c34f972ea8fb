"""Who is asking: what every service needs to know about the requester.

A request, a websocket scope and a plain user (a command, a test, code
calling in) all become an ``Actor``, so the services apply the same rules
whichever entry point they are called from: the user, the page-privacy
passwords they have passed this session (Wagtail keeps those in the
session), and their real client address for the per-address limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework.throttling import BaseThrottle
from wagtail.models import PageViewRestriction

_PASSED = PageViewRestriction.passed_view_restrictions_session_key


@dataclass
class Actor:
    user: Any
    #: Ids of the password restrictions this session has passed.
    passed_restrictions: frozenset[int] = frozenset()
    #: The real client address, or None (a command, code calling in).
    address: str | None = None
    #: Per-actor memo of the services (e.g. the restrictions it fails).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated and self.user.is_active

    @classmethod
    def from_request(cls, request) -> Actor:
        session = getattr(request, "session", None)
        passed = session.get(_PASSED, []) if session is not None else []
        return cls(
            user=getattr(request, "user", None) or AnonymousUser(),
            passed_restrictions=frozenset(passed),
            address=client_address(request),
        )

    @classmethod
    def from_scope(cls, scope: dict[str, Any]) -> Actor:
        """From a websocket's ASGI scope (``AuthMiddlewareStack`` fills
        ``user`` and ``session``); the address is the server's ``client``."""
        session = scope.get("session")
        passed = session.get(_PASSED, []) if session is not None else []
        client = scope.get("client")
        return cls(
            user=scope.get("user") or AnonymousUser(),
            passed_restrictions=frozenset(passed),
            address=client[0] if client else None,
        )


def as_actor(who: Any) -> Actor:
    """``who`` as an Actor: an Actor, a request (``user`` and ``META``), or a
    user (None: anonymous)."""
    if isinstance(who, Actor):
        return who
    if hasattr(who, "META") and hasattr(who, "user"):
        return Actor.from_request(who)
    return Actor(user=who if who is not None else AnonymousUser())


def client_address(request) -> str | None:
    """The client's address as DRF identifies it (``REST_FRAMEWORK["NUM_PROXIES"]``
    decides whether ``X-Forwarded-For`` is trusted); Django and DRF requests."""
    if not hasattr(request, "META"):
        return None
    return BaseThrottle().get_ident(request)
