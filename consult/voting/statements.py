"""The hand-written SQL of the ballot path.

A ballot is the write a city sees most of on a referendum night, so its
statements are counted (``bench/ingest.py``): the participation and the
ballot go in together, and every counter of a ballot changes in one upsert.
``ON CONFLICT`` leaves the decisions to the unique constraints, so nothing
here reads before it writes. PostgreSQL and SQLite (3.35+) both run these;
on PostgreSQL the two inserts of a new ballot are one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.utils import timezone

from consult.models import Ballot, Participation, Tally, TallyCount


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(name: str) -> str:
    return connection.ops.quote_name(name)


def _ballot_values(question_id: int, digest: str, content: Mapping[str, Any]) -> list[Any]:
    fields = Ballot._meta
    return [
        fields.get_field("id").get_db_prep_value(uuid.uuid4(), connection),
        question_id,
        digest,
        fields.get_field("content").get_db_prep_value(content, connection),
    ]


def insert_ballot(question_id: int, voter_id: int, digest: str, content: Mapping[str, Any]) -> bool:
    """Record that ``voter_id`` voted on ``question_id`` and store ``content``.

    Returns False, storing nothing, when the voter had already voted: the
    one-ballot-per-voter constraint decides, so concurrent requests of one
    voter cannot both get in. Call inside a transaction.
    """
    participation = (
        f"INSERT INTO {_table(Participation)} (question_id, voter_id, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
    )
    ballot_columns = "(id, question_id, digest, content)"
    params = [question_id, voter_id, timezone.now()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The ballot row is selected from the participation's RETURNING,
            # so it is inserted exactly when the participation was.
            cursor.execute(
                f"WITH participation AS ({participation}) "  # noqa: S608
                f"INSERT INTO {_table(Ballot)} {ballot_columns} "
                "SELECT %s, %s, %s, %s FROM participation RETURNING 1",
                [*params, *_ballot_values(question_id, digest, content)],
            )
            return cursor.fetchone() is not None
        cursor.execute(participation, params)
        if cursor.fetchone() is None:
            return False
        cursor.execute(
            f"INSERT INTO {_table(Ballot)} {ballot_columns} VALUES (%s, %s, %s, %s)",  # noqa: S608
            _ballot_values(question_id, digest, content),
        )
        return True


def add_to_tally(
    question_id: int, ballots_delta: int, deltas: Mapping[str, tuple[int, int]]
) -> None:
    """Add to a question's tally: its ballot count, its version, its counters.

    The ``Tally`` row goes first: its row lock orders every ballot of a
    question, so ``version`` numbers states one by one and the counter rows,
    written after it, are never contended in another order. Counters with
    nothing to add are left alone. On PostgreSQL both are one statement: the
    counters are selected from the tally's RETURNING, so they are written
    after it.
    """
    table = _table(Tally)
    tally = (
        f"INSERT INTO {table} (question_id, version, ballots) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT (question_id) DO UPDATE SET version = {table}.version + 1, "
        f"ballots = {table}.ballots + %s"
    )
    # The inserted row is checked (ballots >= 0) even when it is not the one
    # kept; only a first ballot ever creates the tally.
    tally_params = [question_id, max(ballots_delta, 0), ballots_delta]
    rows = [(key, votes, total) for key, (votes, total) in sorted(deltas.items()) if votes or total]
    counters = _table(TallyCount)
    key = _column("key")
    upsert = (
        f" ON CONFLICT (question_id, {key}) DO UPDATE SET "
        f"votes = {counters}.votes + excluded.votes, "
        f"total = {counters}.total + excluded.total"
    )
    with connection.cursor() as cursor:
        if rows and connection.vendor == "postgresql":
            values = ", ".join(["(%s::varchar, %s::bigint, %s::bigint)"] * len(rows))
            cursor.execute(
                f"WITH tally AS ({tally} RETURNING question_id) "  # noqa: S608
                f"INSERT INTO {counters} (question_id, {key}, votes, total) "
                f"SELECT tally.question_id, v.k, v.votes, v.total FROM tally, "
                f"(VALUES {values}) AS v (k, votes, total)" + upsert,
                [*tally_params, *(value for row in rows for value in row)],
            )
            return
        cursor.execute(tally, tally_params)
        if not rows:
            return
        cursor.execute(
            f"INSERT INTO {counters} (question_id, {key}, votes, total) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
            + upsert,
            [value for row in rows for value in (question_id, *row)],
        )
