"""Live updates follow the services' signals.

The services send their signals inside the write's transaction; each
receiver here publishes only once that transaction commits, so a rolled-back
ballot or comment is never shown. Connected by ``ConsultConfig.ready()``.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from consult import signals
from consult.realtime.broadcast import publish_comments, publish_question, publish_supports


def _question_changed(sender, question, **kwargs) -> None:
    transaction.on_commit(partial(publish_question, question.pk))


def _supports_changed(sender, proposal, **kwargs) -> None:
    transaction.on_commit(partial(publish_supports, proposal.pk))


def _comments_changed(sender, page_id, **kwargs) -> None:
    transaction.on_commit(partial(publish_comments, page_id))


def connect() -> None:
    uid = "consult.realtime"
    signals.ballot_cast.connect(_question_changed, dispatch_uid=f"{uid}.cast")
    signals.ballot_retracted.connect(_question_changed, dispatch_uid=f"{uid}.retracted")
    signals.proposal_supported.connect(_supports_changed, dispatch_uid=f"{uid}.supported")
    signals.comments_changed.connect(_comments_changed, dispatch_uid=f"{uid}.comments")
