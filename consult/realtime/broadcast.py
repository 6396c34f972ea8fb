"""Publishes committed tally changes to the consultation's websocket group.

Called from ``transaction.on_commit`` only, so a rolled-back ballot is never
shown. It re-reads the committed state rather than trusting what the writer
saw, and sends a full snapshot with its ``version``: a lost or reordered
message is repaired by the next one.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from consult import permissions
from consult.models import Question
from consult.realtime.groups import consultation_group
from consult.voting.tally import tally_payload, turnout_payload

logger = logging.getLogger(__name__)


def question_message(question: Question) -> dict[str, Any]:
    """The websocket message for ``question``: its tally, or only its turnout
    while results are not visible to the public."""
    if permissions.results_visible(None, question.page):
        return {"type": "tally", **tally_payload(question)}
    return {"type": "turnout", **turnout_payload(question)}


def publish_question(question_id: int) -> None:
    question = Question.objects.select_related("page").filter(pk=question_id).first()
    if question is None:
        return
    message = question_message(question)
    _send(question.page_id, f"question:{question_id}", message["version"], message)


def _send(page_id: int, topic: str, version: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": "consult.update", "topic": topic, "version": version, "message": message}
    try:
        async_to_sync(layer.group_send)(consultation_group(page_id), event)
    except Exception:
        # The vote is already committed; viewers catch up on the next update
        # or on resync, so a broken channel layer must not fail the request.
        logger.exception("consult: broadcast to consultation %s failed", page_id)
