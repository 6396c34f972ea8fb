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
from django.db.models import Exists, OuterRef, Subquery
from wagtail.models import Page

from consult import conf
from consult.models import Question
from consult.realtime.coalesce import Coalescer
from consult.realtime.groups import consultation_group, question_topic
from consult.realtime.loops import PerLoop, call_soon_in_serving_loop
from consult.voting import presenter, translations

logger = logging.getLogger(__name__)

#: The channel-layer event type of every update; ``hub`` relays it.
EVENT_TYPE = "consult.update"


def question_message(question: Question, shared: Question | None = None) -> dict[str, Any]:
    """The websocket message for ``question`` as the public sees it
    (``consult.voting.presenter``): its tally, or only its turnout.

    Without ``shared`` it is looked up, and raises ``TranslationOutOfDate``
    for a translation that no longer matches.
    """
    return presenter.present(question, shared).message


def publish_question(question_id: int) -> None:
    """Broadcast the committed state of a question (from ``on_commit``).

    Without a serving event loop (a management command, WSGI, a sync test)
    it re-reads and sends before returning, bounded by ``BROADCAST_TIMEOUT``.
    """
    if not call_soon_in_serving_loop(_touch_question, question_id):
        for update in question_updates(question_id):
            _send(*update)


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


def question_updates(question_id: int) -> list[tuple[int, str, int, dict[str, Any]]]:
    """``(page id, topic, version, message)`` for every page showing the
    ballots of ``question_id``: its own and, when its consultation has
    translations, each translation's counterpart, in that language's terms.

    ``question_id`` holds the ballots (ballots are only cast on source
    questions), so the question's own tally is the shared one.
    """
    group = Page.objects.filter(translation_key=OuterRef("page__translation_key"))
    question = (
        Question.objects.select_related("page")
        .filter(pk=question_id)
        .annotate(
            translations=Exists(group.exclude(pk=OuterRef("page_id"))),
            source_page_id=Subquery(group.order_by("pk").values("pk")[:1]),
        )
        .first()
    )
    if question is None:
        return []
    shown = [question]
    if question.translations and question.source_page_id == question.page_id:
        # An out-of-date translation takes no ballots and shows no tally.
        shown += [
            translated
            for translated in translations.translated_questions(question)
            if translations.matches(translated, question)
        ]
    updates = []
    for each in shown:
        message = question_message(each, shared=question)
        updates.append((each.page_id, question_topic(each.pk), message["version"], message))
    return updates


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
        for update in await database_sync_to_async(question_updates)(question_id):
            await send_update(*update)


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
