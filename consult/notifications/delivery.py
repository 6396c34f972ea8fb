"""The work of the background tasks: fan-out in batches, instant e-mails, digests."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from consult import conf
from consult.models import Digest, Notification, PhaseEvent
from consult.notifications import messages, records


def batch_size() -> int:
    return max(1, int(conf.get("NOTIFY_BATCH_SIZE")))


def fan_out(event_id: int, after_user_id: int) -> int | None:
    """Notify one batch of followers of a phase event and e-mail those who
    want it at once. Returns the user id the next batch starts after, or
    None when this was the last batch."""
    event = PhaseEvent.objects.filter(pk=event_id).first()
    if event is None:
        return None
    size = batch_size()
    user_ids, more = records.record_phase_batch(event, after_user_id, size)
    if user_ids:
        batch = Notification.objects.filter(key=records.phase_key(event), user_id__in=user_ids)
        messages.send_instant(records.claim(records.instant(batch)))
    return user_ids[-1] if more else None


def deliver(notification_ids: list[int]) -> int:
    """E-mail those of the notifications whose recipients want it at once."""
    batch = Notification.objects.filter(pk__in=notification_ids)
    return messages.send_instant(records.claim(records.instant(batch)))


def digest_recipients(frequency: str, period: str, now, after_user_id: int = 0):
    """Ids of people due a ``frequency`` digest for ``period``: notifications
    not e-mailed yet, and no digest for that period so far."""
    return (
        Notification.objects.filter(
            records.frequency_q(frequency),
            emailed_at__isnull=True,
            created_at__lte=now,
            user_id__gt=after_user_id,
            user__is_active=True,
        )
        .exclude(user__consult_digests__period=period)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def send_digests(frequency: str, period: str, user_ids: list[int]) -> int:
    """One digest per person for ``period`` with everything not e-mailed yet.

    The ``Digest`` row is the claim: a second worker (or run) inserting the
    same person and period fails on the unique constraint and moves on.
    """
    sent = 0
    now = timezone.now()
    for user_id in user_ids:
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user_id=user_id, period=period)
        except IntegrityError:
            continue
        pending = Notification.objects.filter(
            records.frequency_q(frequency), user_id=user_id, created_at__lte=now
        )
        claimed = records.claim(pending, digest=digest)
        if claimed:
            sent += messages.send_digest(claimed[0].user, claimed, period)
    return sent
