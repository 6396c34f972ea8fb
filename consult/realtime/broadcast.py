"""Publishes committed changes to the consultation's channel-layer group.

Called from ``transaction.on_commit`` only, so a rolled-back ballot is never
shown. It re-reads the committed state rather than trusting what the writer
saw, and sends a full snapshot with its ``version``: a lost or reordered
message is repaired by the next one, which is why a failed send is logged
and dropped, never raised into the request that cast the ballot.

Under ASGI the request only hands the question to its worker's event loop
and returns; the loop's publisher re-reads and sends at most once per
question and ``BROADCAST_INTERVAL``, so a burst of ballots costs one read
and one group message per interval, not one per ballot.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from consult import conf, permissions
from consult.models import Question
from consult.realtime.coalesce import Coalescer
from consult.realtime.groups import consultation_group, question_topic
from consult.realtime.loops import PerLoop, call_soon_in_serving_loop
from consult.voting.tally import tally_payload, turnout_payload

logger = logging.getLogger(__name__)

#: The channel-layer event type of every update; ``hub`` relays it.
EVENT_TYPE = "consult.update"


def question_message(question: Question) -> dict[str, Any]:
    """The websocket message for ``question``: its tally, or only its turnout
    while results are not visible to the public."""
    if permissions.results_visible(None, question.page):
        return {"type": "tally", **tally_payload(question)}
    return {"type": "turnout", **turnout_payload(question)}


def publish_question(question_id: int) -> None:
    """Broadcast the committed state of a question (from ``on_commit``).

    Without a serving event loop (a management command, WSGI, a sync test)
    it re-reads and sends before returning, bounded by ``BROADCAST_TIMEOUT``.
    """
    if not call_soon_in_serving_loop(_touch_question, question_id):
        found = _question_update(question_id)
        if found is not None:
            _send(*found)


def _send(page_id: int, topic: str, version: int, message: dict[str, Any]) -> None:
    """Send ``message`` about ``topic`` to everyone watching ``page_id``.

    Never raises and never waits longer than ``BROADCAST_TIMEOUT``; under
    ASGI it does not wait at all.
    """
    if not call_soon_in_serving_loop(_spawn_send, page_id, topic, version, message):
        async_to_sync(send_update)(page_id, topic, version, message)


async def send_update(page_id: int, topic: str, version: int, message: dict[str, Any]) -> None:
    """Async ``_send``: one group message, bounded, failures logged."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {
        "type": EVENT_TYPE,
        "page": page_id,
        "topic": topic,
        "version": version,
        "message": message,
    }
    try:
        async with asyncio.timeout(float(conf.get("BROADCAST_TIMEOUT"))):
            await layer.group_send(consultation_group(page_id), event)
    except Exception:
        # The change is committed; viewers catch up on the next update or on
        # resync, so a broken channel layer must not fail anything else.
        logger.exception("consult: broadcast to consultation %s failed", page_id)


def _question_update(question_id: int) -> tuple[int, str, int, dict[str, Any]] | None:
    question = Question.objects.select_related("page").filter(pk=question_id).first()
    if question is None:
        return None
    message = question_message(question)
    return question.page_id, question_topic(question_id), message["version"], message


_sending: set[asyncio.Task[None]] = set()


def _spawn_send(page_id: int, topic: str, version: int, message: dict[str, Any]) -> None:
    task = asyncio.get_running_loop().create_task(send_update(page_id, topic, version, message))
    # The loop keeps only weak references to tasks.
    _sending.add(task)
    task.add_done_callback(_sending.discard)


class _QuestionPublisher:
    """Per event loop: re-reads and sends each question at most once per interval."""

    def __init__(self) -> None:
        self.coalescer: Coalescer[int] = Coalescer(self._publish, broadcast_interval)

    async def _publish(self, question_id: int) -> None:
        found = await database_sync_to_async(_question_update)(question_id)
        if found is not None:
            await send_update(*found)


_publishers: PerLoop[_QuestionPublisher] = PerLoop(_QuestionPublisher)


def _touch_question(question_id: int) -> None:
    _publishers.get().coalescer.touch(question_id)


def broadcast_interval() -> float:
    return float(conf.get("BROADCAST_INTERVAL"))


# Citizens' contributions (consult.contributions). Called after commit with
# ids; each re-reads the committed counter and its ``version`` in one query,
# so a message never shows an older state under a newer version.


def supports_message(proposal_id: int) -> tuple[int, int, dict[str, Any]] | None:
    """(page id, version, message) for a published proposal's supports, else None."""
    from consult.models import Proposal

    row = (
        Proposal.objects.filter(pk=proposal_id, status="published", page__live=True)
        .values_list("page_id", "version", "supports")
        .first()
    )
    if row is None:
        return None
    page_id, version, supports = row
    return page_id, version, {"type": "supports", "proposal": proposal_id, "supports": supports}


def publish_supports(proposal_id: int) -> None:
    """Broadcast a proposal's committed supports count (topic ``proposal:<id>``)."""
    found = supports_message(proposal_id)
    if found is not None:
        page_id, version, message = found
        _send(page_id, f"proposal:{proposal_id}", version, message)


def comments_message(page_id: int) -> tuple[int, dict[str, Any]] | None:
    """(version, message) with the number of published comments of a consultation."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from consult.models import Comment, CommentFeed

    published = (
        Comment.objects.filter(page_id=OuterRef("page_id"), status="published")
        .filter(deleted_at__isnull=True)
        .order_by()
        .values("page_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        CommentFeed.objects.filter(page_id=page_id, page__live=True)
        .annotate(count=Coalesce(Subquery(published, output_field=IntegerField()), 0))
        .values_list("version", "count")
        .first()
    )
    if row is None:
        return None
    version, count = row
    return version, {"type": "comments", "consultation": page_id, "count": count}


def publish_comments(page_id: int) -> None:
    """Broadcast a consultation's committed comment count (topic ``comments:<page id>``)."""
    found = comments_message(page_id)
    if found is not None:
        version, message = found
        _send(page_id, f"comments:{page_id}", version, message)
