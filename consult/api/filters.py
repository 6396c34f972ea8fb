"""Database filters matching ``ConsultationPage.status_at``: a paginated list
needs the status as a query, not as a Python property."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q


def _phase_active(prefix: str, now: datetime) -> Q:
    return Q(**{f"{prefix}_open_at__lte": now}) & (
        Q(**{f"{prefix}_close_at__isnull": True}) | Q(**{f"{prefix}_close_at__gt": now})
    )


def status_q(status: str, now: datetime) -> Q:
    voting = _phase_active("voting", now)
    proposals = _phase_active("proposals", now) & ~voting
    upcoming = (Q(proposals_open_at__gt=now) | Q(voting_open_at__gt=now)) & ~voting & ~proposals
    return {
        "voting": voting,
        "proposals": proposals,
        "upcoming": upcoming,
        "closed": ~voting & ~proposals & ~upcoming,
    }[status]
