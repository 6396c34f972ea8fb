"""Signals sent by the services after a write, inside its transaction.

Receivers that talk to the outside world should use
``transaction.on_commit``: the transaction may still roll back.
"""

from django.dispatch import Signal

#: A ballot was cast or replaced. Arguments: ``question`` (Question),
#: ``voter`` (the user), ``created`` (False when an earlier ballot was replaced).
ballot_cast = Signal()

#: A voter withdrew their ballot. Arguments: ``question``, ``voter``.
ballot_retracted = Signal()
