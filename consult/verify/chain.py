"""The hash chain of a ballot log (SPEC §11): canonical JSON and entry hashes.

The server imports these functions to write its log, so that the
definitions of the format live in one place; the tests check them against
hashes computed by hand from the SPEC's wording.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

EVENTS = ("cast", "replace", "withdraw")


def canonical(value: Any) -> bytes:
    """JSON with sorted keys, no whitespace, non-ASCII as itself, in UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def genesis(definition: Mapping[str, Any]) -> str:
    """The ``prev`` of a log's first entry, and the head of an empty log."""
    return sha256_hex(canonical(definition))


def entry_hash(entry: Mapping[str, Any]) -> str:
    """``sha256_hex(prev + "\\n" + canonical(entry without "hash"))``."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return sha256_hex(entry["prev"].encode("utf-8") + b"\n" + canonical(body))


def make_entry(
    seq: int, event: str, receipt_hash: str, ballot: Mapping[str, Any] | None, prev: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "seq": seq,
        "event": event,
        "receipt_hash": receipt_hash,
        "ballot": ballot,
        "prev": prev,
    }
    entry["hash"] = entry_hash(entry)
    return entry
