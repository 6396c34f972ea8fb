"""Which phase events of a consultation are due at a given time (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PROPOSALS_OPEN = "proposals_open"
VOTING_OPEN = "voting_open"
VOTING_CLOSING = "voting_closing"
VOTING_CLOSED = "voting_closed"


@dataclass(frozen=True)
class Due:
    event: str
    due_at: datetime


@dataclass(frozen=True)
class Phases:
    proposals_open_at: datetime | None
    proposals_close_at: datetime | None
    voting_open_at: datetime | None
    voting_close_at: datetime | None


def _open_event(
    event: str, opens: datetime | None, closes: datetime | None, now: datetime, grace: timedelta
) -> Due | None:
    # Announced while the phase is open and at most ``grace`` late: a phase
    # that has already closed, or opened long ago, is no news.
    if opens is None or not opens <= now < opens + grace:
        return None
    if closes is not None and now >= closes:
        return None
    return Due(event, opens)


def due_events(phases: Phases, now: datetime, notice: timedelta, grace: timedelta) -> list[Due]:
    """The events due at ``now``: each phase opening, voting closing within
    ``notice``, voting closed; none more than ``grace`` late. A null datetime
    switches its phase off (SPEC §4), and with it its events."""
    due = [
        _open_event(
            PROPOSALS_OPEN, phases.proposals_open_at, phases.proposals_close_at, now, grace
        ),
        _open_event(VOTING_OPEN, phases.voting_open_at, phases.voting_close_at, now, grace),
    ]
    opens, closes = phases.voting_open_at, phases.voting_close_at
    if opens is not None and closes is not None and opens <= now:
        warn_at = closes - notice
        # Voting shorter than the notice: "voting opens" already said when it ends.
        if warn_at <= now < closes and opens <= warn_at:
            due.append(Due(VOTING_CLOSING, warn_at))
        if closes <= now < closes + grace:
            due.append(Due(VOTING_CLOSED, closes))
    return [event for event in due if event is not None]


def digest_periods(local_now: datetime, hour: int, weekday: int) -> list[tuple[str, str]]:
    """The digests due at ``local_now`` (site time) as (frequency, period):
    daily from ``hour`` each day, weekly from ``hour`` on ``weekday`` (0 =
    Monday) for the rest of that ISO week. The period names the day or week,
    so each is sent once, however often this is asked."""
    due = []
    if local_now.hour >= hour:
        due.append(("daily", f"daily:{local_now.date().isoformat()}"))
    if (local_now.weekday(), local_now.hour) >= (weekday, hour):
        year, week, _day = local_now.isocalendar()
        due.append(("weekly", f"weekly:{year}-W{week:02d}"))
    return due
