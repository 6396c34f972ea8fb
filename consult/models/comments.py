from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .proposals import ContributionStatus

#: Replies nest this deep at most: a comment (1), a reply (2), a reply to it (3).
MAX_COMMENT_DEPTH = 3


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class Comment(models.Model):
    """A citizen's comment on a consultation, or on one of its proposals.

    ``thread`` is the top-level comment of the conversation (null on that
    comment itself) so a page of threads is read with one query, and
    ``depth`` (1 to ``MAX_COMMENT_DEPTH``) is stored so replies are checked
    without walking up the tree. An author's deletion blanks ``body`` and sets
    ``deleted_at``: the comment stays in place so its replies keep their thread.
    """

    page = models.ForeignKey(
        "consult.ConsultationPage", on_delete=models.CASCADE, related_name="comments"
    )
    proposal = models.ForeignKey(
        "consult.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="consult_comments",
    )
    body = models.TextField(_("comment"))
    stance = models.CharField(
        _("stance"), max_length=8, choices=Stance.choices, default=Stance.NEUTRAL
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PENDING,
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    moderator_note = models.TextField(_("moderator note"), blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["page", "status"]),
            models.Index(fields=["page", "proposal", "parent"], name="consult_comment_roots"),
        ]

    def __str__(self) -> str:
        if self.deleted_at:
            return str(_("Comment removed by its author"))
        return self.body[:60]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentFeed(models.Model):
    """The live comment feed of one consultation: ``version`` numbers every
    change of what the public sees, incremented with ``F()`` in the
    transaction of the change, so websocket messages about it are ordered
    across processes. Kept out of the page row, which revisions overwrite."""

    page = models.OneToOneField(
        "consult.ConsultationPage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="comment_feed",
    )
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("comment feed")
        verbose_name_plural = _("comment feeds")

    def __str__(self) -> str:
        return f"comments of consultation {self.page_id} v{self.version}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Insulting, hateful or threatening")
    PERSONAL = "personal_data", _("Reveals personal data")
    ILLEGAL = "illegal", _("Illegal content")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A citizen's report of a comment or a proposal (exactly one of the two).
    One report per user per item, enforced by the database. A moderator's
    decision on the item resolves its open reports."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    proposal = models.ForeignKey(
        "consult.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_reports"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    details = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comment__isnull=False, proposal__isnull=True)
                | Q(comment__isnull=True, proposal__isnull=False),
                name="consult_report_one_item",
            ),
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(comment__isnull=False),
                name="consult_one_report_per_comment",
            ),
            models.UniqueConstraint(
                fields=["proposal", "reporter"],
                condition=Q(proposal__isnull=False),
                name="consult_one_report_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        item = f"comment {self.comment_id}" if self.comment_id else f"proposal {self.proposal_id}"
        return f"report on {item}: {self.reason}"
