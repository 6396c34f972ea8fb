"""One subscription per worker process and consultation, fanned out locally.

Stock Channels gives every socket its own channel: a broadcast becomes one
channel-layer message per viewer, each dispatched through its consumer (and,
since channels 4.2, a hop to a thread), which costs seconds for a few
thousand viewers. Here each process joins a consultation's group once,
whatever the number of its viewers; an update is coalesced per topic once,
serialised once, and the same text is queued on every local socket.

The hub also keeps the process's view of the channel layer healthy: it
re-joins its groups before the layer expires them, and after an outage it
re-joins them and re-reads the state its viewers may have missed. A
message the layer dropped without an error is found by the hub's audit,
which compares the database's tally versions with what it delivered, so a
lost update never stays lost. And at the close of voting it pushes the
results that were hidden until then, when no ballot would bring them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer

from consult import conf
from consult.exceptions import TranslationOutOfDate
from consult.models import ConsultationPage, Tally
from consult.realtime.broadcast import EVENT_TYPE, broadcast_interval, question_message
from consult.realtime.coalesce import Coalescer
from consult.realtime.groups import consultation_group, question_topic
from consult.realtime.loops import PerLoop
from consult.realtime.outbox import Frame, Outbox
from consult.voting import presenter, translations

logger = logging.getLogger(__name__)

#: Back-off between attempts to reach a failed channel layer, in seconds.
RETRY_MIN, RETRY_MAX = 0.25, 5.0
#: Seconds after the closing time at which the results are read (clocks of
#: the database and the worker may differ a little), and the longest a
#: reveal timer waits before it looks at the closing time again.
REVEAL_MARGIN, REVEAL_CHECK_EVERY = 0.5, 300.0


@dataclass(frozen=True)
class Snapshot:
    frames: list[Frame]
    #: See ``presenter.results_reveal_at``, as epoch seconds.
    reveal_at: float | None = None
    #: Per topic, the question whose tally it shows (a translated question
    #: shows its original's).
    sources: dict[str, int] = field(default_factory=dict)


@dataclass(eq=False)
class _Page:
    outboxes: set[Outbox] = field(default_factory=set)
    #: Set once the process's group membership was attempted.
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    #: The newest frame fanned out per topic.
    latest: dict[str, Frame] = field(default_factory=dict)
    #: The last snapshot read, shared by the sockets connecting meanwhile.
    reading: asyncio.Future[Snapshot | None] | None = None
    read_at: float = float("-inf")
    #: When results hidden until voting closes are due (epoch seconds), and
    #: the timer that pushes them then.
    reveal_at: float | None = None
    reveal: asyncio.TimerHandle | None = None
    #: The versions of the first snapshot read for the page: no socket of
    #: it started from an older state. The audit compares against them.
    baseline: dict[str, int] = field(default_factory=dict)
    #: See ``Snapshot.sources``.
    sources: dict[str, int] = field(default_factory=dict)

    def delivered(self, topic: str) -> int:
        """The version every socket of the page has of ``topic``, or newer."""
        latest = self.latest.get(topic)
        return max(self.baseline.get(topic, -1), latest.version if latest else -1)


class Hub:
    """The live-update subscriber of one event loop (one per worker process)."""

    def __init__(self, layer: BaseChannelLayer | None):
        self.layer = layer
        self._channel: str | None = None
        self._pages: dict[int, _Page] = {}
        self._pending: dict[tuple[int, str], dict[str, Any]] = {}
        self._coalescer: Coalescer[tuple[int, str]] = Coalescer(self._flush, broadcast_interval)
        self._to_add: set[int] = set()
        self._to_discard: set[int] = set()
        self._wake = asyncio.Event()
        self._trouble = asyncio.Event()
        self._recovered = asyncio.Event()
        self._healthy = True
        self._tasks: list[asyncio.Task[None]] = []
        self._revealing: set[asyncio.Task[None]] = set()
        self._audit: asyncio.Task[None] | None = None

    # -- sockets -------------------------------------------------------------

    async def join(self, page_id: int, outbox: Outbox) -> list[Frame] | None:
        """Register ``outbox`` for ``page_id``'s updates and return the page's
        snapshots, or None for an unknown or unpublished page.

        The process's group membership is in place before the snapshot is
        read, so no update committed after it can be missed; updates
        arriving before the socket is open wait in its outbox.
        """
        page = self._pages.get(page_id)
        if page is None:
            page = self._pages[page_id] = _Page()
            page.outboxes.add(outbox)
            await self._subscribe(page_id, page)
        else:
            page.outboxes.add(outbox)
        await page.subscribed.wait()
        return await self.snapshots(page_id)

    def leave(self, page_id: int, outbox: Outbox) -> None:
        page = self._pages.get(page_id)
        if page is None:
            return
        page.outboxes.discard(outbox)
        if not page.outboxes:
            del self._pages[page_id]
            if page.reveal is not None:
                page.reveal.cancel()
            if self.layer is not None:
                self._to_discard.add(page_id)
                self._wake.set()

    async def snapshots(self, page_id: int) -> list[Frame] | None:
        """The current frames of a joined page's questions.

        Sockets connecting (or resyncing) within one ``BROADCAST_INTERVAL``
        share one database read, so a reconnect storm after a restart costs
        a few reads, not one per viewer. A frame this process fanned out
        since is newer and wins.
        """
        page = self._pages[page_id]
        loop = asyncio.get_running_loop()
        if page.reading is None or page.read_at + broadcast_interval() <= loop.time():
            page.read_at = loop.time()
            page.reading = asyncio.ensure_future(read_snapshots(page_id))
        reading = page.reading
        try:
            snapshot = await asyncio.shield(reading)
        except Exception:
            if page.reading is reading:
                page.reading = None
            raise
        if snapshot is None:
            return None
        if self._pages.get(page_id) is page:
            self._schedule_reveal(page_id, page, snapshot.reveal_at)
            if not page.baseline:
                page.baseline = {frame.topic: frame.version for frame in snapshot.frames}
            page.sources = snapshot.sources
        self._start_audit()
        return [_newer(frame, page.latest.get(frame.topic)) for frame in snapshot.frames]

    # -- the audit: what the channel layer lost without saying so ------------

    def _start_audit(self) -> None:
        if self._audit is None and conf.get("LIVE_AUDIT_INTERVAL"):
            self._audit = _spawn(self._audit_loop())

    async def _audit_loop(self) -> None:
        """Every ``LIVE_AUDIT_INTERVAL`` seconds, compare the tally versions of
        the watched questions with what this process delivered, and re-read
        the pages still behind a version the previous audit saw.

        Group sends are at most once: a layer drops messages to a full
        channel without an error, and a lost last update would otherwise
        stay lost until the next ballot. One query per process and interval,
        whatever the number of pages and viewers.
        """
        # (page, topic) -> the version the database had at the last audit
        # while this process had not delivered it yet. While ballots flow,
        # the database is always a little ahead (coalescing holds updates
        # back for up to BROADCAST_INTERVAL); a version still undelivered
        # one whole interval later was lost.
        behind: dict[tuple[int, str], int] = {}
        while True:
            await asyncio.sleep(float(conf.get("LIVE_AUDIT_INTERVAL")))
            watched = {page_id: page.sources for page_id, page in self._pages.items()}
            questions = {question for sources in watched.values() for question in sources.values()}
            if not questions:
                behind = {}
                continue
            try:
                versions = await read_versions(questions)
                earlier, behind = behind, {}
                for page_id, sources in watched.items():
                    page = self._pages.get(page_id)
                    if page is None:
                        continue
                    lost = False
                    for topic, question in sources.items():
                        delivered = page.delivered(topic)
                        lost = lost or delivered < earlier.get((page_id, topic), -1)
                        if versions.get(question, 0) > delivered:
                            behind[(page_id, topic)] = versions[question]
                    if lost:
                        logger.warning("consult: live updates of page %s were lost", page_id)
                        await self._reload(page_id)
            except Exception:
                logger.exception("consult: the live-update audit failed; trying again later")

    # -- results published at the close of voting ---------------------------

    def _schedule_reveal(self, page_id: int, page: _Page, reveal_at: float | None) -> None:
        """Push the results to every viewer when voting closes.

        Nothing is cast at that moment, so no update would bring them: the
        hub re-reads the page then. The timer is also re-armed every
        ``REVEAL_CHECK_EVERY`` seconds, so a closing time an editor moves
        is followed without any viewer reconnecting.
        """
        if reveal_at == page.reveal_at and page.reveal is not None:
            return
        if page.reveal is not None:
            page.reveal.cancel()
            page.reveal = None
        page.reveal_at = reveal_at
        if reveal_at is None:
            return
        delay = max(reveal_at - time.time(), 0) + REVEAL_MARGIN
        self._arm_reveal(page_id, page, min(delay, REVEAL_CHECK_EVERY))

    def _arm_reveal(self, page_id: int, page: _Page, delay: float) -> None:
        def start() -> None:
            task = _spawn(self._reveal(page_id, page))
            # The loop keeps only weak references to tasks.
            self._revealing.add(task)
            task.add_done_callback(self._revealing.discard)

        page.reveal = asyncio.get_running_loop().call_later(delay, start)

    async def _reveal(self, page_id: int, page: _Page) -> None:
        page.reveal = None
        if self._pages.get(page_id) is not page:
            return
        page.read_at = float("-inf")  # a fresh read, not one shared from before
        try:
            frames = await self.snapshots(page_id)
        except Exception:
            logger.exception("consult: could not read consultation %s at its close", page_id)
            self._arm_reveal(page_id, page, RETRY_MAX)
            return
        if page.reveal_at is not None:
            return  # not closed yet (the closing time moved): the timer is re-armed
        for frame in frames or ():
            latest = page.latest.get(frame.topic)
            if latest is not None and (latest.version > frame.version or latest.text == frame.text):
                continue
            # Often the same version with other content: a turnout became a tally.
            page.latest[frame.topic] = frame
            for outbox in list(page.outboxes):
                outbox.push(frame, again=True)

    # -- updates -------------------------------------------------------------

    def _accept(self, event: dict[str, Any]) -> None:
        try:
            key = (event["page"], event["topic"])
            version = event["version"]
        except (KeyError, TypeError):
            logger.warning("consult: ignoring a malformed live update: %r", event)
            return
        if key[0] not in self._pages:
            return
        waiting = self._pending.get(key)
        if waiting is None or waiting["version"] < version:
            self._pending[key] = event
        self._coalescer.touch(key)

    async def _flush(self, key: tuple[int, str]) -> None:
        event = self._pending.pop(key, None)
        page = self._pages.get(key[0])
        if event is None or page is None:
            return
        topic, version = key[1], event["version"]
        latest = page.latest.get(topic)
        if latest is not None and latest.version >= version:
            return
        frame = page.latest[topic] = Frame(topic, version, json.dumps(event["message"]))
        # A copy: writes start right away, and a socket may leave meanwhile.
        for outbox in list(page.outboxes):
            outbox.push(frame)

    # -- the channel layer ---------------------------------------------------

    async def _subscribe(self, page_id: int, page: _Page) -> None:
        if self.layer is None:
            page.subscribed.set()
            return
        if self._channel is None:
            channel = await self.layer.new_channel()
            self._channel = self._channel or channel
        if not self._tasks:
            self._tasks = [_spawn(self._listen(self.layer, self._channel)), _spawn(self._keep())]
        if self._healthy:
            self._to_add.add(page_id)
            self._wake.set()
        else:
            # The layer is down: serve the snapshot now; re-joining after
            # the outage covers this page too.
            page.subscribed.set()

    async def _listen(self, layer: BaseChannelLayer, channel: str) -> None:
        delay = RETRY_MIN
        while True:
            try:
                event = await layer.receive(channel)
            except Exception:
                self._lost()
                # Retry after the back-off, or as soon as the keeper got
                # through again: updates are waiting for us then.
                self._recovered.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._recovered.wait()
                delay = min(2 * delay, RETRY_MAX)
                continue
            delay = RETRY_MIN
            if event.get("type") == EVENT_TYPE:
                self._accept(event)

    async def _keep(self) -> None:
        """The one task that changes this process's group memberships, so a
        leave and a quick re-join of one page can never be reordered."""
        loop = asyncio.get_running_loop()
        # Memberships expire after the layer's group_expiry (a day by
        # default), even for a socket open all along: renew well before.
        renew_every = float(getattr(self.layer, "group_expiry", 86400)) / 4
        renew_at = loop.time() + renew_every
        delay = RETRY_MIN
        while True:
            if not (self._to_add or self._to_discard or self._trouble.is_set()):
                # asyncio.timeout rather than wait_for: on Python 3.11 wait_for
                # swallows a cancellation that coincides with a wake-up, and this
                # loop would then outlive its event loop's shutdown.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(renew_at):
                        await self._wake.wait()
                self._wake.clear()
            try:
                if self._trouble.is_set() or loop.time() >= renew_at:
                    await self._rejoin()
                    renew_at = loop.time() + renew_every
                await self._add(self._to_add)
                discard, self._to_discard = self._to_discard - self._pages.keys(), set()
                for page_id in discard:
                    await self._bounded(self.layer.group_discard, page_id)  # type: ignore[union-attr]
            except Exception:
                self._lost()
                await asyncio.sleep(delay)
                delay = min(2 * delay, RETRY_MAX)
            else:
                delay = RETRY_MIN

    async def _rejoin(self) -> None:
        lost = self._trouble.is_set()
        self._trouble.clear()
        await self._add(set(self._pages))
        if lost:
            for page_id in list(self._pages):
                await self._reload(page_id)
            self._healthy = True
            self._recovered.set()
            logger.warning("consult: the channel layer is back; live updates resumed")

    async def _add(self, page_ids: set[int]) -> None:
        try:
            for page_id in list(page_ids):
                if page_id in self._pages:
                    await self._bounded(self.layer.group_add, page_id)  # type: ignore[union-attr]
                page_ids.discard(page_id)
                self._mark_subscribed(page_id)
        finally:
            # A socket waits for its page's membership only while the layer
            # answers; after a failure it gets its snapshot at once.
            for page_id in page_ids:
                self._mark_subscribed(page_id)

    async def _reload(self, page_id: int) -> None:
        """Re-read a page whose updates were lost (an outage, a dropped message)."""
        snapshot = await read_snapshots(page_id)
        for frame in snapshot.frames if snapshot is not None else ():
            self._accept(
                {
                    "page": page_id,
                    "topic": frame.topic,
                    "version": frame.version,
                    "message": json.loads(frame.text),
                }
            )

    def _mark_subscribed(self, page_id: int) -> None:
        page = self._pages.get(page_id)
        if page is not None:
            page.subscribed.set()

    async def _bounded(self, operation: Any, page_id: int) -> None:
        async with asyncio.timeout(float(conf.get("BROADCAST_TIMEOUT"))):
            await operation(consultation_group(page_id), self._channel)

    def _lost(self) -> None:
        if self._healthy:
            self._healthy = False
            logger.error(
                "consult: lost the channel layer; live updates pause until it is back",
                exc_info=True,
            )
        self._trouble.set()
        self._wake.set()


def _newer(frame: Frame, other: Frame | None) -> Frame:
    return other if other is not None and other.version > frame.version else frame


def _spawn(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    # A long-lived task must not inherit the context of the socket that
    # happened to start it.
    return asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())


@database_sync_to_async
def read_snapshots(page_id: int) -> Snapshot | None:
    """The frames a viewer of ``page_id`` starts from, or None if it is not live."""
    page = ConsultationPage.objects.live().filter(pk=page_id).first()
    if page is None:
        return None
    translations.remember_source_page(page, translations.source_page_id(page))
    frames, sources = [], {}
    for question in page.questions.all():
        try:
            shared = translations.shared_question(question)
        except TranslationOutOfDate:
            continue  # it takes no ballots and shows no tally until updated
        message = question_message(question, shared)
        topic = question_topic(question.pk)
        frames.append(Frame(topic, message["version"], json.dumps(message)))
        sources[topic] = shared.pk
    reveal_at = presenter.results_reveal_at(page)
    return Snapshot(frames, reveal_at.timestamp() if reveal_at is not None else None, sources)


@database_sync_to_async
def read_versions(question_ids: set[int]) -> dict[int, int]:
    """The tally version of each question (missing: no ballot yet)."""
    return dict(
        Tally.objects.filter(question_id__in=question_ids).values_list("question_id", "version")
    )


_hubs: PerLoop[Hub] = PerLoop(Hub)


def current_hub() -> Hub:
    """The hub of the running event loop and the default channel layer."""
    return _hubs.get(get_channel_layer())
