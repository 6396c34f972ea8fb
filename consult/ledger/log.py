"""Appending to a question's ballot log, and reading it back.

``append`` runs inside the ballot's transaction, after the tally was changed
(the tally row's lock is always taken first, so the two locks are never
taken in the other order). Its own lock is the question's ``LogHead`` row:
one upsert both takes it and returns the previous hash, so an append costs
two statements (one more for a question's first ballot, which reads the
question's definition for the genesis hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from consult.models import LogEntry, LogHead, Question
from consult.verify.chain import genesis, make_entry


def definition(question: Question) -> dict[str, Any]:
    """The question as SPEC §11 publishes it with its log: id, method, the
    limits of §4 and the options (id, label, cost) in the question's order."""
    options = sorted(question.options.all(), key=lambda option: (option.sort_order or 0, option.pk))
    return {
        "id": question.pk,
        "method": question.method,
        "min_choices": question.min_choices,
        "max_choices": question.max_choices,
        "max_score": question.max_score,
        "budget": question.budget,
        "options": [
            {"id": option.pk, "label": option.label, "cost": option.cost} for option in options
        ],
    }


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def append(question_id: int, event: str, receipt_hash: str, ballot: Any) -> dict[str, Any]:
    """Write the next entry of ``question_id``'s log; call inside the ballot's
    transaction. Returns the entry as published."""
    head = _table(LogHead)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {head} (question_id, seq, hash) VALUES (%s, 1, '') "  # noqa: S608
            f"ON CONFLICT (question_id) DO UPDATE SET seq = {head}.seq + 1 RETURNING seq, hash",
            [question_id],
        )
        seq, prev = cursor.fetchone()
        if not prev:
            question = Question.objects.prefetch_related("options").get(pk=question_id)
            prev = genesis(definition(question))
        entry = make_entry(seq, event, receipt_hash, ballot, prev)
        insert = (
            f"INSERT INTO {_table(LogEntry)} "  # noqa: S608
            "(question_id, seq, event, receipt_hash, ballot, prev, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)"
        )
        params = [
            question_id,
            seq,
            event,
            receipt_hash,
            LogEntry._meta.get_field("ballot").get_db_prep_value(ballot, connection),
            prev,
            entry["hash"],
        ]
        update = f"UPDATE {head} SET hash = %s WHERE question_id = %s"  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH entry AS ({insert} RETURNING 1) {update}", [*params, entry["hash"], question_id])
        else:
            cursor.execute(insert, params)
            cursor.execute(update, [entry["hash"], question_id])
    return entry


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def head(question: Question) -> Head:
    """The log's length and head hash now (the genesis hash while it is empty)."""
    row = LogHead.objects.filter(question=question).values_list("seq", "hash").first()
    if row and row[1]:
        return Head(*row)
    return Head(0, genesis(definition(question)))


def entries(question: Question, upto: int, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """Entries 1..``upto`` in order, read ``chunk_size`` at a time."""
    rows = (
        LogEntry.objects.filter(question_id=question.pk, seq__lte=upto)
        .order_by("seq")
        .values_list("seq", "event", "receipt_hash", "ballot", "prev", "hash")
        .iterator(chunk_size=chunk_size)
    )
    for seq, event, receipt_hash, ballot, prev, hash_ in rows:
        yield {
            "seq": seq,
            "event": event,
            "receipt_hash": receipt_hash,
            "ballot": ballot,
            "prev": prev,
            "hash": hash_,
        }


@dataclass(frozen=True)
class ReceiptStatus:
    question: Question
    seq: int
    counted: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question.pk,
            "consultation": self.question.page_id,
            "seq": self.seq,
            "status": "counted" if self.counted else "withdrawn",
        }


def receipt_status(receipt_hash: str) -> ReceiptStatus | None:
    """The latest entry with ``receipt_hash`` on a published consultation."""
    entry = (
        LogEntry.objects.filter(receipt_hash=receipt_hash)
        .order_by("-seq")
        .values_list("question_id", "seq", "event")
        .first()
    )
    if entry is None:
        return None
    question = Question.objects.filter(pk=entry[0], page__live=True).select_related("page").first()
    if question is None:
        return None
    return ReceiptStatus(question=question, seq=entry[1], counted=entry[2] != "withdraw")
