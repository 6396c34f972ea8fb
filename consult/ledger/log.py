"""Appending to a question's ballot log, and reading it back.

``append`` runs inside the ballot's transaction, after the tally was changed
(the tally row's lock is always taken first, so the two locks are never
taken in the other order). Its own lock is the question's ``LogHead`` row,
which holds the last entry's ``seq``, ``prev`` and ``hash``. On PostgreSQL an
append is one statement: the head's upsert computes the new hash from the
old one and the entry is inserted from its RETURNING. A question's first
entry (and every entry on SQLite) is computed here instead: it needs the
genesis hash of the question's definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from consult.models import LogEntry, LogHead, Question
from consult.verify.chain import canonical, genesis, make_entry


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


def append(question_id: int, event: str, receipt_hash: str, ballot: Any) -> None:
    """Write the next entry of ``question_id``'s log; call inside the ballot's
    transaction, after the tally (see the module's docstring)."""
    if connection.vendor == "postgresql" and _append_in_sql(
        question_id, event, receipt_hash, ballot
    ):
        return
    head = _table(LogHead)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {head} (question_id, seq, prev, hash) VALUES (%s, 0, '', '') "  # noqa: S608
            f"ON CONFLICT (question_id) DO UPDATE SET seq = {head}.seq RETURNING seq, hash",
            [question_id],
        )
        seq, prev = cursor.fetchone()
        if not seq:
            question = Question.objects.prefetch_related("options").get(pk=question_id)
            prev = genesis(definition(question))
        _write(cursor, question_id, make_entry(seq + 1, event, receipt_hash, ballot, prev))


def _write(cursor, question_id: int, entry: dict[str, Any]) -> None:
    cursor.execute(
        f"INSERT INTO {_table(LogEntry)} "  # noqa: S608
        "(question_id, seq, event, receipt_hash, ballot, prev, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            question_id,
            entry["seq"],
            entry["event"],
            entry["receipt_hash"],
            LogEntry._meta.get_field("ballot").get_db_prep_value(entry["ballot"], connection),
            entry["prev"],
            entry["hash"],
        ],
    )
    cursor.execute(
        f"UPDATE {_table(LogHead)} SET seq = %s, prev = %s, hash = %s "  # noqa: S608
        "WHERE question_id = %s",
        [entry["seq"], entry["prev"], entry["hash"], question_id],
    )


def _append_in_sql(question_id: int, event: str, receipt_hash: str, ballot: Any) -> bool:
    """Append in one statement, the entry's hash computed by PostgreSQL from
    the head it locks; False for a question's first entry, which needs the
    definition's genesis hash (then nothing was written but the empty head).

    The SQL spells out ``chain.entry_hash``: the canonical entry has its keys
    in sorted order (ballot, event, prev, receipt_hash, seq), and only
    ``prev`` and ``seq`` come from the head; ``event`` and ``receipt_hash``
    are plain ASCII that JSON does not escape.
    """
    head = _table(LogHead)
    canonical_entry = (
        '\'{"ballot":\' || %(ballot)s || \',"event":"\' || %(event)s || '
        f'\'","prev":"\' || {head}.hash || '
        '\'","receipt_hash":"\' || %(receipt)s || '
        f"'\",\"seq\":' || ({head}.seq + 1) || '}}'"
    )
    new_hash = (
        f"encode(sha256(convert_to({head}.hash || E'\\n' || {canonical_entry}, 'UTF8')), 'hex')"
    )
    sql = (
        f"WITH head AS (INSERT INTO {head} (question_id, seq, prev, hash) "  # noqa: S608
        "VALUES (%(question)s, 0, '', '') "
        f"ON CONFLICT (question_id) DO UPDATE SET seq = {head}.seq + 1, "
        f"prev = {head}.hash, hash = {new_hash} RETURNING seq, prev, hash) "
        f"INSERT INTO {_table(LogEntry)} "
        "(question_id, seq, event, receipt_hash, ballot, prev, hash) "
        "SELECT %(question)s, seq, %(event)s, %(receipt)s, %(stored)s, prev, hash "
        "FROM head WHERE seq > 0 RETURNING seq"
    )
    params = {
        "question": question_id,
        "event": event,
        "receipt": receipt_hash,
        "ballot": canonical(ballot).decode("utf-8"),
        "stored": LogEntry._meta.get_field("ballot").get_db_prep_value(ballot, connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


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
