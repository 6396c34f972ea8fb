"""What ``consult_notify`` does on each run: announce due phase events and
start due digests. Safe to run every minute and from several machines: every
decision is an INSERT that a unique constraint lets succeed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from consult import conf
from consult.models import ConsultationPage, PhaseEvent
from consult.notifications import delivery, phases, tasks


@dataclass
class Run:
    phase_events: list[PhaseEvent] = field(default_factory=list)
    #: (frequency, period) -> people whose digest was started.
    digests: dict[tuple[str, str], int] = field(default_factory=dict)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=float(conf.get(name)))


def announce_phases(now: datetime) -> list[PhaseEvent]:
    """Record each phase event due at ``now`` once and start its fan-out."""
    notice, grace = _seconds("NOTIFY_CLOSING_NOTICE"), _seconds("NOTIFY_GRACE")
    recent = (now - grace, now)
    pages = (
        ConsultationPage.objects.live()
        .filter(
            Q(proposals_open_at__range=recent)
            | Q(voting_open_at__range=recent)
            | Q(voting_close_at__range=(now - grace, now + notice))
        )
        .only("proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at")
        .order_by("pk")
    )
    created = []
    for page in pages:
        dates = phases.Phases(
            page.proposals_open_at,
            page.proposals_close_at,
            page.voting_open_at,
            page.voting_close_at,
        )
        for due in phases.due_events(dates, now, notice, grace):
            try:
                with transaction.atomic():
                    event = PhaseEvent.objects.create(page=page, event=due.event, due_at=due.due_at)
            except IntegrityError:
                continue  # announced by an earlier run
            created.append(event)
            tasks.enqueue_on_commit(tasks.fan_out_phase, event.pk, 0)
    return created


def start_digests(now: datetime) -> dict[tuple[str, str], int]:
    """Enqueue the digests due at ``now``, one task per batch of people."""
    local = timezone.localtime(now)
    started = {}
    size = delivery.batch_size()
    due = phases.digest_periods(
        local, int(conf.get("DIGEST_HOUR")), int(conf.get("DIGEST_WEEKDAY"))
    )
    for frequency, period in due:
        user_ids = list(delivery.digest_recipients(frequency, period, now))
        for start in range(0, len(user_ids), size):
            tasks.enqueue_on_commit(
                tasks.send_digests, frequency, period, user_ids[start : start + size]
            )
        started[(frequency, period)] = len(user_ids)
    return started


def run(now: datetime | None = None) -> Run:
    now = now or timezone.now()
    return Run(phase_events=announce_phases(now), digests=start_digests(now))
