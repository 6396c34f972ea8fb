"""What one websocket still has to be sent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Frame:
    """One serialised message: the same ``text`` goes to every socket."""

    topic: str
    version: int
    text: str


class Outbox:
    """Frames for one socket, written in order, never an older ``version`` of
    a topic after a newer one.

    A write starts at once and usually completes at once: a server's send
    waits only while its client is not reading. Only then does a task take
    over, so a slow client delays nobody else and holds at most one pending
    frame per topic: a newer frame replaces the one still waiting. Nothing
    is written before ``open()`` (the socket is accepted) or after
    ``close()``.
    """

    __slots__ = ("_write", "_sent", "_pending", "_draining", "_task", "_open", "_closed")

    def __init__(self, write: Callable[[str], Awaitable[None]]):
        self._write = write
        self._sent: dict[str, int] = {}
        self._pending: dict[str, Frame] = {}
        self._draining = False
        self._task: asyncio.Future[None] | None = None
        self._open = False
        self._closed = False

    def push(self, frame: Frame, *, again: bool = False) -> None:
        """Queue ``frame`` unless the socket has, or is about to get, a newer
        state of its topic. With ``again`` the same version is sent once more
        (a resync answers with the current state even if it is not newer)."""
        if self._closed:
            return
        sent = self._sent.get(frame.topic, -1)
        if frame.version < sent or (frame.version == sent and not again):
            return
        waiting = self._pending.get(frame.topic)
        if waiting is not None and waiting.version > frame.version:
            return
        self._pending[frame.topic] = frame
        self._kick()

    def open(self) -> None:
        self._open = True
        self._kick()

    def close(self) -> None:
        self._closed = True
        self._pending.clear()

    def _kick(self) -> None:
        if self._open and not self._draining and self._pending:
            self._task = start_eagerly(self._drain())

    async def _drain(self) -> None:
        self._draining = True
        try:
            while self._pending and not self._closed:
                topic = next(iter(self._pending))
                frame = self._pending.pop(topic)
                self._sent[topic] = frame.version
                await self._write(frame.text)
        except Exception:
            # The client is gone; the consumer's disconnect cleans up.
            self.close()
        finally:
            self._draining = False
            self._task = None


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Future[None] | None:
    """Run ``coroutine`` now until it first has to wait; a task finishes it.

    Returns None if it finished without waiting (no task is made: with
    thousands of sockets per update, a task each doubles the cost of a
    fan-out). Python 3.12's eager tasks do the same; this runs on 3.11.
    """
    try:
        waiting = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coroutine, waiting))


async def _finish(coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
    # An awaiting coroutine yields the future it waits for (or None to let
    # the loop run once); it may only be resumed when that future is done,
    # and then sees its result, exception or cancellation by itself.
    while True:
        if waiting is None:
            await asyncio.sleep(0)
        else:
            try:
                await asyncio.wait([waiting])
            except asyncio.CancelledError:
                # As a task would: cancel what it waits for, and let it see that.
                waiting.cancel()
                await asyncio.wait([waiting])
        try:
            waiting = coroutine.send(None)
        except StopIteration:
            return
