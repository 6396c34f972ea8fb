"""Read-only websocket subscriber for one consultation page.

On connect it sends one snapshot per question, then relays the group's
updates. Updates are coalesced per topic: at most one message per topic per
``BROADCAST_INTERVAL`` seconds, always the newest, never an older ``version``
after a newer one.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from consult import conf
from consult.models import ConsultationPage
from consult.realtime.broadcast import question_message
from consult.realtime.groups import consultation_group

#: Client frames larger than this are refused: the protocol's only client
#: message is ``{"type": "resync"}``.
MAX_CLIENT_FRAME = 256


class ConsultationConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
        self.group = consultation_group(self.page_id)
        self.sent_versions: dict[str, int] = {}
        self.last_sent: dict[str, float] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        snapshots = await self._snapshots()
        if snapshots is None:
            await self.close(code=4404)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_snapshots(snapshots)

    async def disconnect(self, code: int) -> None:
        for timer in self.timers.values():
            timer.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is not None or text_data is None or len(text_data) > MAX_CLIENT_FRAME:
            await self.close(code=4400)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            message = None
        if not isinstance(message, dict) or message.get("type") != "resync":
            await self.close(code=4400)
            return
        snapshots = await self._snapshots()
        if snapshots is not None:
            # A resync answers with the current state even if it is not newer.
            self.sent_versions.clear()
            await self._send_snapshots(snapshots)

    async def consult_update(self, event: dict[str, Any]) -> None:
        topic = event["topic"]
        if event["version"] <= self.sent_versions.get(topic, -1):
            return
        pending = self.pending.get(topic)
        if pending is None or pending["version"] < event["version"]:
            self.pending[topic] = event
        if topic in self.timers:
            return
        loop = asyncio.get_running_loop()
        interval = float(conf.get("BROADCAST_INTERVAL"))
        delay = self.last_sent.get(topic, float("-inf")) + interval - loop.time()
        if delay <= 0:
            await self._flush(topic)
        else:
            self.timers[topic] = loop.call_later(
                delay, lambda: asyncio.ensure_future(self._flush(topic))
            )

    async def _flush(self, topic: str) -> None:
        self.timers.pop(topic, None)
        event = self.pending.pop(topic, None)
        if event is None or event["version"] <= self.sent_versions.get(topic, -1):
            return
        await self._emit(topic, event["version"], event["message"])

    async def _emit(self, topic: str, version: int, message: dict[str, Any]) -> None:
        self.sent_versions[topic] = version
        self.last_sent[topic] = asyncio.get_running_loop().time()
        await self.send(text_data=json.dumps(message))

    async def _send_snapshots(self, snapshots: list[dict[str, Any]]) -> None:
        for message in snapshots:
            await self._emit(f"question:{message['question']}", message["version"], message)

    @database_sync_to_async
    def _snapshots(self) -> list[dict[str, Any]] | None:
        page = ConsultationPage.objects.live().filter(pk=self.page_id).first()
        if page is None:
            return None
        return [question_message(question) for question in page.questions.all()]
