"""Who voted and what was chosen, stored apart.

``Participation`` records that a user voted on a question (the database's
one-ballot-per-voter rule lives here). ``Ballot`` holds what was chosen and
carries no user, no timestamp and a random primary key, so neither a foreign
key nor insertion order links the two tables. The voter finds their own
ballot again through ``digest``, a keyed HMAC of question and voter whose key
is not stored in the database (see ``consult.voting.digest``).

``Tally`` and ``TallyCount`` are the running totals, changed in the same
transaction as the ballot; ``consult_recount`` checks them against ``Ballot``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Participation(models.Model):
    question = models.ForeignKey(
        "consult.Question", on_delete=models.CASCADE, related_name="participations"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_participations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "voter"], name="consult_one_ballot_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"participation {self.pk} in question {self.question_id}"


class Ballot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(
        "consult.Question", on_delete=models.CASCADE, related_name="ballots"
    )
    digest = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["question", "digest"], name="consult_ballot_digest")
        ]

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class Tally(models.Model):
    question = models.OneToOneField(
        "consult.Question", on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    version = models.PositiveBigIntegerField(default=0)
    ballots = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self) -> str:
        return f"tally of question {self.question_id} v{self.version}"


class TallyCount(models.Model):
    """One result entry's counters: ``votes`` ballots chose ``key``; ``total``
    adds up a numeric contribution (scores) where the method has one."""

    question = models.ForeignKey(
        "consult.Question", on_delete=models.CASCADE, related_name="tally_counts"
    )
    key = models.CharField(max_length=32)
    votes = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("tally count")
        verbose_name_plural = _("tally counts")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="consult_tally_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.votes}"
