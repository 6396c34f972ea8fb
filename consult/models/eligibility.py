"""Proofs of eligibility: census lists and voting codes.

Nothing here identifies a person in clear. A census entry is a keyed digest
of an identifier and a birth date (the key, ``CONSULT["CENSUS_KEY"]``, is not
in the database), optionally with a postcode and a birth year for district
and age rules. A voting code is stored as a digest salted per batch. A code
login creates a ``Participant``: an account with no e-mail address and no
usable password, bound to one consultation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Census(models.Model):
    """A named list of residents (or members) uploaded by editors."""

    class Status(models.TextChoices):
        EMPTY = "empty", _("Empty")
        IMPORTING = "importing", _("Importing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Import failed")

    name = models.SlugField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Rules name the census by this, e.g. residents-2026."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.EMPTY
    )
    # Progress of the running (or last) import, updated as it goes.
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0)
    error = models.TextField(_("error"), blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("census")
        verbose_name_plural = _("censuses")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CensusEntry(models.Model):
    # The unique (census, digest) index serves look-ups by census as well;
    # each index less is 1.5 million insertions less for a city's census.
    census = models.ForeignKey(Census, on_delete=models.CASCADE, related_name="+", db_index=False)
    #: HMAC-SHA256 of the normalised identifier and the ISO birth date; raw
    #: bytes, not hex: half the index, and compared without a collation.
    digest = models.BinaryField(max_length=32)
    postcode = models.CharField(max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consult_census_claims",
        db_index=False,  # the partial index below: unclaimed rows are not indexed
    )
    #: Set while the entry is claimed, also after the claiming account is
    #: deleted (``claimed_by`` None): one entry votes once, until an admin releases it.
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        constraints = [
            # The claim lookup's index as well.
            models.UniqueConstraint(fields=["census", "digest"], name="consult_census_digest"),
            # One account holds at most one entry of a census.
            models.UniqueConstraint(
                # claimed_by first: it is the look-up of every census rule check.
                fields=["claimed_by", "census"],
                condition=models.Q(claimed_by__isnull=False),
                name="consult_census_one_claim",
            ),
        ]

    def __str__(self) -> str:
        # The digest names nobody; its start tells entries apart in the admin.
        return f"{self.census_id}:{bytes(self.digest)[:6].hex()}"


class VotingCodeBatch(models.Model):
    """Codes printed on letters for one consultation; revoking a batch voids them all."""

    page = models.ForeignKey("consult.ConsultationPage", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    #: Hex salt of this batch's code digests.
    salt = models.CharField(max_length=32)
    count = models.PositiveIntegerField(_("codes"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("voting code batch")
        verbose_name_plural = _("voting code batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class VotingCode(models.Model):
    batch = models.ForeignKey(VotingCodeBatch, on_delete=models.CASCADE, related_name="+")
    #: HMAC-SHA256 (hex) of the batch's salt and the normalised code.
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "digest"], name="consult_voting_code_digest")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.digest[:12]}"


class Participant(models.Model):
    """The account a voting code signs in: the same code, the same account."""

    #: None once the account is deleted: the code then stays used up, so a
    #: deleted participant cannot come back as a new one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="consult_participant",
    )
    page = models.ForeignKey("consult.ConsultationPage", on_delete=models.CASCADE, related_name="+")
    code = models.OneToOneField(VotingCode, on_delete=models.CASCADE, related_name="participant")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"participant {self.pk} of page {self.page_id}"
