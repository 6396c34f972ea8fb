"""Read-only websocket subscriber for one consultation page.

On connect it sends one snapshot per question, then the updates its
process's hub fans out: coalesced per topic (at most one message per topic
per ``BROADCAST_INTERVAL``, always the newest), never an older ``version``
after a newer one.

Close codes: 4400 a client frame other than ``{"type": "resync"}``, 4404 an
unknown or unpublished page or one page privacy hides from the viewer, 4408
idle for ``WS_IDLE_TIMEOUT``, 4429 more than ``WS_MAX_CONNECTIONS_PER_IP``
sockets from one address.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from consult import conf, privacy
from consult.actor import Actor
from consult.realtime.hub import current_hub
from consult.realtime.limits import client_address, open_sockets
from consult.realtime.outbox import Outbox

logger = logging.getLogger(__name__)

#: Client frames larger than this are refused: the protocol's only client
#: message is ``{"type": "resync"}``.
MAX_CLIENT_FRAME = 256

BAD_FRAME, NOT_FOUND, IDLE, TOO_MANY = 4400, 4404, 4408, 4429


class ConsultationConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the hub holds one group membership per process
    # and writes to this socket directly, which is what makes a broadcast
    # cost one layer message per process rather than one per viewer.
    # get_channel_layer() returns None for an alias that is not configured.
    channel_layer_alias = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outbox = Outbox(self._write)
        self.address: str | None = None
        self.counted = False
        self.joined = False
        self.idle_timer: asyncio.TimerHandle | None = None
        self.closing: asyncio.Task[None] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also after an error or a cancellation, when disconnect() is
            # never called: the hub and the counter must not keep this socket.
            self._release()

    async def connect(self) -> None:
        self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
        self.hub = current_hub()
        self.address = client_address(self.scope)
        self.counted = open_sockets.acquire(self.address)
        if not self.counted:
            logger.info("consult: refused a websocket from %s (too many open)", self.address)
            # Accepted first so that the client sees why, and does not retry at once.
            await self.accept()
            await self._close(TOO_MANY)
            return
        if not await _may_watch(self.scope, self.page_id):
            # Page privacy hides it from this viewer: as if it did not exist.
            await self._close(NOT_FOUND)
            return
        self.joined = True
        snapshots = await self.hub.join(self.page_id, self.outbox)
        if snapshots is None:
            await self._close(NOT_FOUND)
            return
        await self.accept()
        for frame in snapshots:
            self.outbox.push(frame)
        self.outbox.open()
        self._heard_from_client()

    async def disconnect(self, code: int) -> None:
        self._release()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not _is_resync(text_data, bytes_data):
            await self._close(BAD_FRAME)
            return
        self._heard_from_client()
        snapshots = await self.hub.snapshots(self.page_id)
        if snapshots is None:
            await self._close(NOT_FOUND)
            return
        for frame in snapshots:
            # A resync answers with the current state even if it is not newer.
            self.outbox.push(frame, again=True)

    async def _write(self, text: str) -> None:
        # Straight to the server's send: this runs once per socket and update.
        await self.base_send({"type": "websocket.send", "text": text})

    async def _close(self, code: int) -> None:
        self.outbox.close()
        await self.close(code=code)

    def _heard_from_client(self) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        timeout = conf.get("WS_IDLE_TIMEOUT")
        if timeout:
            self.idle_timer = asyncio.get_running_loop().call_later(timeout, self._idle)

    def _idle(self) -> None:
        self.closing = asyncio.ensure_future(self._close(IDLE))

    def _release(self) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        self.outbox.close()
        if self.joined:
            self.joined = False
            self.hub.leave(self.page_id, self.outbox)
        if self.counted:
            self.counted = False
            open_sockets.release(self.address)


@database_sync_to_async
def _may_watch(scope: dict[str, Any], page_id: int) -> bool:
    """Whether the socket's viewer may see consultation ``page_id``."""
    return privacy.live_consultation(Actor.from_scope(scope), page_id) is not None


def _is_resync(text_data: str | None, bytes_data: bytes | None) -> bool:
    if bytes_data is not None or text_data is None or len(text_data) > MAX_CLIENT_FRAME:
        return False
    try:
        message = json.loads(text_data)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "resync"
