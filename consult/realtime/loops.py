"""Finding the event loop that serves this process, from sync code or async."""

from __future__ import annotations

import asyncio
import contextvars
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from asgiref.sync import SyncToAsync

T = TypeVar("T")


def call_soon_in_serving_loop(callback: Callable[..., Any], *args: Any) -> bool:
    """Schedule ``callback(*args)`` on the event loop serving this code.

    From async code that is the running loop; from sync code run by asgiref
    (a Django view under ASGI, ``database_sync_to_async``) it is the loop
    awaiting that code. Returns False when there is none (a management
    command, a WSGI server, a plain sync test): the caller then does the work
    itself.

    The callback runs in an empty context: the request's own context may
    have ended (with its thread-sensitive executor) before the callback's
    tasks do.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = _awaiting_loop()
        if loop is None:
            return False
        try:
            loop.call_soon_threadsafe(callback, *args, context=contextvars.Context())
        except RuntimeError:  # the loop closed in the meantime
            return False
        return True
    loop.call_soon(callback, *args, context=contextvars.Context())
    return True


def _awaiting_loop() -> asyncio.AbstractEventLoop | None:
    # asgiref records, in every thread it runs sync code in, the loop that
    # awaits that code; its AsyncToSync finds its way back the same way.
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop.is_running() else None


class PerLoop(Generic[T]):
    """One ``factory(*key)`` object per running event loop (and key).

    A server process has one loop; the tests start one per test, so objects
    of closed loops are dropped as new ones are made.
    """

    def __init__(self, factory: Callable[..., T]):
        self._factory = factory
        self._objects: dict[tuple[Any, ...], T] = {}

    def get(self, *key: Any) -> T:
        loop = asyncio.get_running_loop()
        found = self._objects.get((loop, *key))
        if found is None:
            for stale in [k for k in self._objects if k[0].is_closed()]:
                del self._objects[stale]
            found = self._objects[(loop, *key)] = self._factory(*key)
        return found
