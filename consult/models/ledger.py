"""The public ballot log of each question (SPEC §11).

``LogEntry`` rows are appended in the ballot's transaction and never changed:
on PostgreSQL a trigger refuses UPDATE and DELETE (see the migration). An
entry names its question without a foreign-key constraint, so deleting a
consultation leaves its public record in place. ``LogHead`` is one row per
question whose lock orders the appends and which remembers the last entry's
hash, so appending never reads the log.

Neither table holds a user, a timestamp or a receipt: only ``receipt_hash``,
``sha256_hex(receipt)``, where the receipt is keyed with a secret outside the
database (``consult.ledger.receipts``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

EVENTS = [("cast", "cast"), ("replace", "replace"), ("withdraw", "withdraw")]


class LogHead(models.Model):
    question = models.OneToOneField(
        "consult.Question", on_delete=models.CASCADE, primary_key=True, related_name="log_head"
    )
    #: The last entry's ``seq``, ``prev`` and ``hash``; 0 and empty until the
    #: first entry is written.
    seq = models.PositiveBigIntegerField(default=0)
    prev = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("ballot log head")
        verbose_name_plural = _("ballot log heads")

    def __str__(self) -> str:
        return f"log of question {self.question_id} at {self.seq}"


class LogEntry(models.Model):
    question = models.ForeignKey(
        "consult.Question",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="log_entries",
    )
    seq = models.PositiveBigIntegerField()
    event = models.CharField(max_length=8, choices=EVENTS)
    receipt_hash = models.CharField(max_length=64, db_index=True)
    ballot = models.JSONField(null=True)
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ballot log entry")
        verbose_name_plural = _("ballot log entries")
        constraints = [
            models.UniqueConstraint(fields=["question", "seq"], name="consult_log_entry_seq")
        ]

    def __str__(self) -> str:
        return f"entry {self.seq} of question {self.question_id}"
