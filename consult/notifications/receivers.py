"""The services' signals turned into follows and notifications.

Receivers run inside the writer's transaction: what they record rolls back
with it, and e-mails are enqueued only once it commits.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from consult import conf, signals
from consult.models import Comment, Proposal
from consult.notifications import follows, preferences, records, tasks

PUBLISHED = "published"
PENDING = "pending"


def _notify(user_id: int, event: str, key: str, **targets) -> None:
    notification_id = records.record(user_id, event, key, **targets)
    tasks.enqueue_on_commit(tasks.send_notifications, [notification_id])


def _stamp(moment) -> str:
    return f"{moment.timestamp():.6f}"


def _reply_published(comment: Comment) -> None:
    parent = comment.parent
    if parent is None or parent.author_id is None or parent.author_id == comment.author_id:
        return
    _notify(
        parent.author_id,
        "reply",
        f"reply:{comment.pk}",
        page_id=comment.page_id,
        proposal_id=comment.proposal_id,
        comment_id=comment.pk,
    )


def proposal_submitted(sender, proposal: Proposal, user, **kwargs) -> None:
    follows.follow_after("propose", user, [proposal.page, proposal])


def proposal_supported(sender, proposal: Proposal, user, supported: bool, **kwargs) -> None:
    if supported:
        follows.follow_after("support", user, [proposal])


def comment_posted(sender, comment: Comment, user, **kwargs) -> None:
    targets = [comment.page] + ([comment.proposal] if comment.proposal_id else [])
    follows.follow_after("comment", user, targets)
    if comment.status == PUBLISHED:
        _reply_published(comment)


def contribution_moderated(
    sender, instance, user, action: str, previous_status: str, **kwargs
) -> None:
    if previous_status == instance.status:
        return  # e.g. approving a published item only dismisses its reports
    if (
        isinstance(instance, Comment)
        and instance.status == PUBLISHED
        and previous_status == PENDING
    ):
        _reply_published(instance)
    if instance.author_id is None or not conf.get("NOTIFY_AUTHORS"):
        return
    is_comment = isinstance(instance, Comment)
    _notify(
        instance.author_id,
        "moderation",
        f"moderation:{instance._meta.model_name}:{instance.pk}:{_stamp(instance.moderated_at)}",
        page_id=instance.page_id,
        proposal_id=None if is_comment else instance.pk,
        comment_id=instance.pk if is_comment else None,
        action=action,
    )


def proposal_answered(sender, proposal: Proposal, user, **kwargs) -> None:
    if not proposal.answer or proposal.author_id is None or not conf.get("NOTIFY_AUTHORS"):
        return
    _notify(
        proposal.author_id,
        "answer",
        f"answer:{proposal.pk}:{_stamp(proposal.answered_at)}",
        page_id=proposal.page_id,
        proposal_id=proposal.pk,
    )


def logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        preferences.remember_language(request)


RECEIVERS = [
    (signals.proposal_submitted, proposal_submitted),
    (signals.proposal_supported, proposal_supported),
    (signals.comment_posted, comment_posted),
    (signals.contribution_moderated, contribution_moderated),
    (signals.proposal_answered, proposal_answered),
    (user_logged_in, logged_in),
]


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"consult.notifications.{receiver.__name__}")
