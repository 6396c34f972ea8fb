"""Verifiable results (SPEC §11): receipts, the public ballot log of each
question, and the signed bundle anyone can recount with ``consult.verify``.

The ballot service calls ``append`` once per cast, replacement or withdrawal,
inside the ballot's transaction.
"""

from .log import append

__all__ = ["append"]
