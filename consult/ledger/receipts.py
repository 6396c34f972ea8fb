"""Receipts: the string a voter keeps to find their ballot in the public log.

A receipt is a keyed digest of (question, voter): the same for every ballot
the voter casts on the question, and shown again to them while signed in,
but nobody without the key can compute it. The key is derived from the same
secret as the ballot digest (``BALLOT_KEY`` or ``SECRET_KEY``) under another
label, so neither digest tells anything about the other. The database and
the log hold only ``sha256_hex(receipt)``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from consult import conf
from consult.verify.chain import sha256_hex

from .log import ReceiptStatus, receipt_status

#: 160 bits, written as 32 base32 characters (no 0/1/8/9 to mistake for letters).
RECEIPT_BYTES = 20
RECEIPT_LENGTH = 32
ALPHABET = set("abcdefghijklmnopqrstuvwxyz234567")


def _key() -> bytes:
    key = conf.get("BALLOT_KEY") or settings.SECRET_KEY
    return hashlib.sha256(b"consult.receipt:" + key.encode()).digest()


def receipt_for(question_id: int, voter_id: int) -> str:
    message = f"{question_id}:{voter_id}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()[:RECEIPT_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()


def receipt_hash(receipt: str) -> str:
    return sha256_hex(receipt)


def normalise(text: str) -> str | None:
    """A receipt as a voter may paste or type it (any case, spaces or dashes
    between groups), or None if it cannot be one."""
    cleaned = "".join(text.split()).replace("-", "").lower()
    if len(cleaned) != RECEIPT_LENGTH or not set(cleaned) <= ALPHABET:
        return None
    return cleaned


def status(text: str) -> ReceiptStatus | None:
    """Where the ballot of the receipt ``text`` stands, or None if no entry
    of a published consultation has it."""
    receipt = normalise(text)
    return receipt_status(receipt_hash(receipt)) if receipt else None


def grouped(receipt: str) -> str:
    """``receipt`` in groups of four, easier to read aloud and copy by hand."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
