"""Merging bursts of changes: at most one run per key and interval, the last always."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class Coalescer(Generic[K]):
    """Runs ``flush(key)`` on the running loop at most once per ``interval()``
    seconds for each key, never twice at once for a key, and always once more
    after the last ``touch(key)``.

    A first touch runs at once, so an isolated change shows without delay.
    Touches while a run is in progress or cooling down are merged into one
    run when the cool-down ends; ``flush`` then reads the newest state, so
    the last state is always delivered.
    """

    def __init__(self, flush: Callable[[K], Awaitable[None]], interval: Callable[[], float]):
        self._flush = flush
        self._interval = interval
        # A key is here while it runs (None) or cools down (its timer).
        self._busy: dict[K, asyncio.TimerHandle | None] = {}
        self._again: set[K] = set()
        # The loop only keeps weak references to tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def touch(self, key: K) -> None:
        if self._closed:
            return
        if key in self._busy:
            self._again.add(key)
        else:
            self._start(key)

    def close(self) -> None:
        """Forget every key; runs in progress are cancelled."""
        self._closed = True
        for timer in self._busy.values():
            if timer is not None:
                timer.cancel()
        for task in self._tasks:
            task.cancel()
        self._busy.clear()
        self._again.clear()

    def _start(self, key: K) -> None:
        self._again.discard(key)
        self._busy[key] = None
        task = asyncio.get_running_loop().create_task(self._run(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: K) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await self._flush(key)
        except Exception:
            logger.exception("consult: flushing %r failed", key)
        if not self._closed:
            delay = max(0.0, started + self._interval() - loop.time())
            self._busy[key] = loop.call_later(delay, self._cooled, key)

    def _cooled(self, key: K) -> None:
        del self._busy[key]
        if key in self._again:
            self._start(key)
