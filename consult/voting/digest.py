"""The keyed digest that lets a voter find their own ballot again.

The key never enters the database, so the ``Ballot`` table alone cannot be
joined to ``Participation``. Changing the key (or ``SECRET_KEY`` when no
``BALLOT_KEY`` is set) means earlier ballots can no longer be changed or
withdrawn by their voters; they still count.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from consult import conf


def _key() -> bytes:
    key = conf.get("BALLOT_KEY") or settings.SECRET_KEY
    return hashlib.sha256(b"consult.ballot-digest:" + key.encode()).digest()


def ballot_digest(question_id: int, voter_id: int) -> str:
    message = f"{question_id}:{voter_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
