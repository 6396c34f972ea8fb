"""The client's real address, the same for write limits and websockets.

Behind ``CONSULT["TRUSTED_PROXY_COUNT"]`` reverse proxies each appends the
address it received the request from to ``X-Forwarded-For``, so the
client's is the count-th entry from the right; anything further left was
written by the client and is ignored. With no proxy configured (the
default) the header is ignored altogether: the address is the connection's.
"""

from __future__ import annotations

from typing import Any

from consult import conf


def forwarded_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The client's address from the connection's ``peer`` and the
    ``X-Forwarded-For`` header, trusting ``TRUSTED_PROXY_COUNT`` proxies."""
    count = conf.get("TRUSTED_PROXY_COUNT") or 0
    if count <= 0 or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    # Fewer hops than proxies: the header did not pass every proxy, so
    # nothing in it can be trusted.
    return hops[-count] if len(hops) >= count else peer


def client_ip(request: Any) -> str | None:
    """The address of a Django (or DRF) request's client."""
    meta = request.META
    return forwarded_address(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"))


def scope_client_address(scope: dict[str, Any]) -> str | None:
    """The address of an ASGI connection's client (None for a unix socket)."""
    client = scope.get("client")
    peer = client[0] if client else None
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name.lower() == b"x-forwarded-for"
    ]
    return forwarded_address(peer, ",".join(forwarded) or None)
