"""Retrying a write transaction that found an SQLite database locked.

SQLite lets one writer at a time. With Django's default deferred
transactions, a transaction that read first and then writes fails at once
with "database is locked" when another process writes (its busy timeout
does not apply to that upgrade); with ``"transaction_mode": "IMMEDIATE"``
it waits up to the busy timeout instead. Either way the whole transaction
can simply run again: it wrote nothing. After ``LOCK_RETRY_SECONDS`` the
request is answered 503 ``unavailable`` rather than a 500.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

from consult.exceptions import Unavailable

T = TypeVar("T")

LOCK_RETRY_SECONDS = 10.0


def retry_when_locked(operation: Callable[[], T]) -> T:
    """Run ``operation`` (one whole transaction), again while SQLite says locked."""
    if connection.in_atomic_block:
        # Part of a larger transaction: only its owner can run it again.
        return operation()
    deadline = time.monotonic() + LOCK_RETRY_SECONDS
    delay = 0.01
    while True:
        try:
            return operation()
        except OperationalError as error:
            if not _locked(error):
                raise
            if time.monotonic() + delay > deadline:
                raise Unavailable() from error
        time.sleep(delay * (0.5 + random.random()))  # noqa: S311 (jitter, not secrets)
        delay = min(delay * 2, 0.25)


def _locked(error: OperationalError) -> bool:
    return connection.vendor == "sqlite" and "locked" in str(error)
