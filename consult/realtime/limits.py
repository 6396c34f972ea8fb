"""Open websockets per client address, counted in this worker process."""

from __future__ import annotations

from collections import Counter

from consult import conf


class ConnectionCounter:
    """Open sockets per address in this process, limited by
    ``WS_MAX_CONNECTIONS_PER_IP``. Each worker counts its own sockets: with N
    workers an address may hold up to N times the limit."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    def acquire(self, address: str | None) -> bool:
        """Count a new socket from ``address``; False if it is over the limit.
        A socket without an address (a unix socket, a test) is not counted."""
        if address is None:
            return True
        limit = conf.get("WS_MAX_CONNECTIONS_PER_IP")
        if limit and self._open[address] >= limit:
            return False
        self._open[address] += 1
        return True

    def release(self, address: str | None) -> None:
        if address is None:
            return
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]


#: This process's counter (sockets of every consultation together).
open_sockets = ConnectionCounter()
