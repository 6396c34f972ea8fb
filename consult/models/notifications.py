"""Follows, notifications and what makes sending them idempotent.

Every row that stands for "this was sent" carries a unique constraint, so two
``consult_notify`` runs (or two workers) racing on the same event cannot both
win: the loser's insert fails or is ignored, and it sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    PROPOSALS_OPEN = "proposals_open", _("Proposals open")
    VOTING_OPEN = "voting_open", _("Voting opens")
    VOTING_CLOSING = "voting_closing", _("Voting closes soon")
    VOTING_CLOSED = "voting_closed", _("Voting closed")
    REPLY = "reply", _("Reply to your comment")
    MODERATION = "moderation", _("Moderation decision")
    ANSWER = "answer", _("Official answer")


#: Events about a consultation's phases, sent to everyone following it.
PHASE_EVENTS = (
    Event.PROPOSALS_OPEN,
    Event.VOTING_OPEN,
    Event.VOTING_CLOSING,
    Event.VOTING_CLOSED,
)


class EmailFrequency(models.TextChoices):
    INSTANT = "instant", _("At once")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")
    OFF = "off", _("Never")


class Follow(models.Model):
    """A person follows one consultation or one proposal (exactly one of both)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_follows"
    )
    page = models.ForeignKey(
        "consult.ConsultationPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    proposal = models.ForeignKey(
        "consult.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(page__isnull=False, proposal__isnull=True)
                | Q(page__isnull=True, proposal__isnull=False),
                name="consult_follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=Q(page__isnull=False),
                name="consult_follow_page_once",
            ),
            models.UniqueConstraint(
                fields=["proposal", "user"],
                condition=Q(proposal__isnull=False),
                name="consult_follow_proposal_once",
            ),
        ]

    def __str__(self) -> str:
        return f"follow of {'page' if self.page_id else 'proposal'} by {self.user_id}"


class NotificationPreference(models.Model):
    """How and in which language a person wants to be told.

    Blank ``email`` follows ``CONSULT["NOTIFY_DEFAULT_EMAIL"]``. Blank
    ``language`` follows ``last_language``, the language they last used on
    the site (blank until known: the site's ``LANGUAGE_CODE``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consult_notification_preference",
    )
    email = models.CharField(_("e-mails"), max_length=8, choices=EmailFrequency.choices, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    last_language = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class PhaseEvent(models.Model):
    """A phase change of a consultation that was announced.

    ``due_at`` is the phase datetime it was due at: an editor who moves the
    date gets a new announcement at the new date, and the same date is never
    announced twice.
    """

    page = models.ForeignKey(
        "consult.ConsultationPage", on_delete=models.CASCADE, related_name="phase_events"
    )
    event = models.CharField(max_length=20, choices=Event.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "event", "due_at"], name="consult_phase_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} of page {self.page_id} due {self.due_at:%Y-%m-%d %H:%M}"


class Digest(models.Model):
    """One digest e-mail per person and period (``period`` like ``daily:2026-12-07``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_digests"
    )
    period = models.CharField(max_length=24)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="consult_digest_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} digest of {self.user_id}"


class Notification(models.Model):
    """Something a person is told, in the site and (by preference) by e-mail.

    ``key`` names what happened (``phase:<PhaseEvent id>``, ``reply:<comment
    id>``...); one person gets one notification per key, whichever worker
    creates it. ``emailed_at`` is set when an e-mail (instant or digest)
    claims it, before sending: an e-mail is sent at most once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_notifications"
    )
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    key = models.CharField(max_length=64)
    page = models.ForeignKey("consult.ConsultationPage", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(
        "consult.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "consult.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    #: The moderator's action ("approve", "reject", "hide") of a moderation event.
    action = models.CharField(max_length=16, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="consult_notification_once")
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="consult_notif_list"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="consult_notif_unread"
            ),
            models.Index(
                fields=["user"],
                condition=Q(emailed_at__isnull=True),
                name="consult_notif_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.user_id}"
