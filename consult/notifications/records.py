"""Notification rows: created once per person and event, claimed once for e-mail."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from consult import conf, ratelimit
from consult.actor import as_actor
from consult.exceptions import NotAuthenticated
from consult.models import Follow, Notification, PhaseEvent

PREFERENCE = "user__consult_notification_preference"


def frequency_q(value: str) -> Q:
    """People whose e-mail frequency in effect is ``value``."""
    q = Q(**{f"{PREFERENCE}__email": value})
    if value == conf.get("NOTIFY_DEFAULT_EMAIL"):
        q |= Q(**{f"{PREFERENCE}__isnull": True}) | Q(**{f"{PREFERENCE}__email": ""})
    return q


def record(
    user_id: int,
    event: str,
    key: str,
    *,
    page_id: int,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    action: str = "",
) -> int:
    """The notification of ``event`` for ``user_id`` (created unless it exists); its id."""
    notification, _created = Notification.objects.get_or_create(
        user_id=user_id,
        key=key,
        defaults={
            "event": event,
            "page_id": page_id,
            "proposal_id": proposal_id,
            "comment_id": comment_id,
            "action": action,
        },
    )
    return notification.pk


def phase_key(event: PhaseEvent) -> str:
    return f"phase:{event.pk}"


def record_phase_batch(event: PhaseEvent, after_user_id: int, size: int) -> tuple[list[int], bool]:
    """Notify the next ``size`` followers of ``event``'s consultation (by user
    id, after ``after_user_id``); returns their user ids and whether more
    followers come after them.

    One SELECT and one INSERT whatever ``size``; rows that exist already (a
    task run twice) are left alone.
    """
    user_ids = list(
        Follow.objects.filter(
            page_id=event.page_id, user_id__gt=after_user_id, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)[: size + 1]
    )
    more = len(user_ids) > size
    user_ids = user_ids[:size]
    key = phase_key(event)
    Notification.objects.bulk_create(
        [
            Notification(user_id=user_id, event=event.event, key=key, page_id=event.page_id)
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )
    return user_ids, more


def claim(queryset: QuerySet[Notification], **changes) -> list[Notification]:
    """Mark the not yet e-mailed notifications of ``queryset`` as e-mailed and
    return them, with everything an e-mail needs joined.

    Rows another worker holds are skipped, and rows already claimed are not
    returned: whoever claims a notification is the only one to send it. The
    claim commits before anything is sent (at most one e-mail, never two).
    """
    with transaction.atomic():
        claimed = list(
            queryset.filter(emailed_at__isnull=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", PREFERENCE, "page", "proposal", "comment", "comment__author")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("user_id", "pk")
        )
        if claimed:
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
                emailed_at=timezone.now(), **changes
            )
    return claimed


def instant(queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    return queryset.filter(frequency_q("instant"))


def mark_read(who, ids: list[int] | None = None) -> int:
    """Mark the notifications of ``who`` (an Actor, a request or a user; all,
    or those of ``ids``) as read."""
    actor = as_actor(who)
    if not actor.signed_in:
        raise NotAuthenticated()
    ratelimit.hit("follow", actor)
    unread = Notification.objects.filter(user=actor.user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
