from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContributionStatus(models.TextChoices):
    PENDING = "pending", _("Pending moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Proposal(models.Model):
    """A citizen's proposal, submitted during a consultation's proposals phase.

    ``title`` and ``body`` are plain text as typed (never HTML); pages and the
    API render them escaped. ``supports`` is a counter kept equal to the
    number of ``Support`` rows by ``consult.contributions.services``;
    ``version`` numbers its changes for the live updates.
    """

    page = models.ForeignKey(
        "consult.ConsultationPage", on_delete=models.CASCADE, related_name="proposals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="consult_proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"))
    category = models.ForeignKey(
        "consult.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PENDING,
    )
    supports = models.PositiveIntegerField(_("supports"), default=0)
    version = models.PositiveBigIntegerField(default=0, editable=False)
    answer = models.TextField(
        _("official answer"),
        blank=True,
        help_text=_("The city's answer, shown with the proposal. Plain text."),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    moderator_note = models.TextField(_("moderator note"), blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["page", "status"]),
            models.Index(fields=["page", "status", "-supports"], name="consult_prop_supports"),
        ]

    def __str__(self) -> str:
        return self.title

    def reached_threshold(self, threshold: int | None) -> bool:
        return threshold is not None and self.supports >= threshold


class Support(models.Model):
    """One citizen's support for a proposal (at most one each)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="support_set")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="consult_one_support")
        ]

    def __str__(self) -> str:
        return f"support of proposal {self.proposal_id}"
