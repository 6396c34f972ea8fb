"""Tracking one shared service's outage, so it is logged once, not per request.

After a failure the service is left alone for ``retry_after`` seconds (the
callers use a fallback meanwhile without waiting for a connect timeout on
every request); the next call after that tries it again.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any

logger = logging.getLogger("consult.outages")


class Outage:
    def __init__(
        self, service: str, retry_after: float = 2.0, level: int = logging.WARNING
    ) -> None:
        self.service = service
        self.retry_after = retry_after
        self.level = level
        self._lock = threading.Lock()
        self._since: float | None = None
        self._until = 0.0
        _every.add(self)

    def down(self) -> bool:
        """True while the last failure is fresher than ``retry_after``."""
        return time.monotonic() < self._until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            first = self._since is None
            if first:
                self._since = now
            self._until = now + self.retry_after
        if first:
            logger.log(self.level, "consult: %s is unavailable (%s)", self.service, error)

    def succeeded(self) -> None:
        if self._since is None:
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            logger.warning(
                "consult: %s is back after %.1f s", self.service, time.monotonic() - since
            )

    def reset(self) -> None:
        with self._lock:
            self._since, self._until = None, 0.0


_every: weakref.WeakSet[Outage] = weakref.WeakSet()


def reset_all() -> None:
    """Forget every outage of this process (tests start from a clean state)."""
    for outage in list(_every):
        outage.reset()


_registry: dict[str, Outage] = {}
_registry_lock = threading.Lock()


def shared(service: str, retry_after: float = 2.0) -> Outage:
    """The one ``Outage`` of ``service`` in this process. Django makes a cache
    backend per thread (under ASGI, per request): the outage they share is
    what lets it be logged once and skipped by every request."""
    with _registry_lock:
        return _registry.setdefault(service, Outage(service, retry_after))


def cache_down(cache: Any) -> bool:
    """Whether ``cache`` is a fail-safe one (``consult.cache``) in an outage now."""
    outage = getattr(cache, "outage", None)
    return isinstance(outage, Outage) and outage.down()
