"""Figures for the editors' screens: the consultations listing, the results
dashboard and the summary panel on the Wagtail dashboard.

Querysets only, no views: ``consult.admin.views`` renders what these return. Counts
are correlated subqueries, so one listing page costs one query whatever the
number of consultations, ballots or comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import timezone

from consult.models import (
    Comment,
    ConsultationPage,
    Participation,
    Proposal,
    Question,
    Tally,
)
from consult.models.pages import Status
from consult.models.proposals import ContributionStatus

#: More hourly buckets than this and the turnout chart counts by day.
MAX_HOURLY_BUCKETS = 72


def _count(queryset, group_by: str, aggregate=None):
    aggregate = aggregate or Count("pk")
    subquery = queryset.order_by().values(group_by).annotate(n=aggregate).values("n")
    return Coalesce(Subquery(subquery, output_field=IntegerField()), 0)


def annotate_stats(queryset, now: datetime | None = None):
    """Annotate consultation pages with what the listing shows and sorts by.

    ``status_rank`` (voting, proposals, upcoming, closed), ``voters``
    (distinct people with a ballot on any question), ``ballots_total`` (all
    questions), ``proposal_count`` (withdrawn ones left out),
    ``comment_count`` (those deleted by their author left out) and
    ``pending_count`` (proposals and comments awaiting moderation).
    """
    now = now or timezone.now()
    page = OuterRef("pk")
    pending = ContributionStatus.PENDING
    proposals = Proposal.objects.filter(page=page)
    comments = Comment.objects.filter(page=page, deleted_at__isnull=True)
    return queryset.annotate_status(now).annotate(
        voters=_count(
            Participation.objects.filter(question__page=page),
            "question__page",
            Count("voter", distinct=True),
        ),
        ballots_total=_count(
            Tally.objects.filter(question__page=page), "question__page", Sum("ballots")
        ),
        proposal_count=_count(proposals.exclude(status=ContributionStatus.WITHDRAWN), "page"),
        comment_count=_count(comments, "page"),
        pending_count=_count(proposals.filter(status=pending), "page")
        + _count(comments.filter(status=pending), "page"),
    )


def ballots_per_question(page_ids) -> dict[int, list[tuple[str, int]]]:
    """``{page_id: [(question title, ballots), ...]}`` in question order, in one query."""
    result: dict[int, list[tuple[str, int]]] = {page_id: [] for page_id in page_ids}
    rows = (
        Question.objects.filter(page_id__in=list(page_ids))
        .annotate(ballot_count=Coalesce("tally__ballots", 0))
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "title", "ballot_count")
    )
    for page_id, title, ballots in rows:
        result[page_id].append((title, ballots))
    return result


def open_consultations(now: datetime | None = None):
    """Live consultations in their proposals or voting phase, annotated like the listing."""
    now = now or timezone.now()
    active = ConsultationPage.objects.live().with_status(Status.VOTING, Status.PROPOSALS, now=now)
    return annotate_stats(active, now).order_by(
        "status_rank", "voting_close_at", "proposals_close_at", "title"
    )


# --------------------------------------------------------------------------
# The results dashboard of one consultation.


@dataclass(frozen=True)
class Bucket:
    start: datetime
    ballots: int
    cumulative: int
    share: float  # of the busiest bucket, 0..100, for the bar


def choose_bucket(page: ConsultationPage, requested: str | None) -> str:
    """``hour`` or ``day``: as requested, else hours for a vote of three days or less."""
    if requested in ("hour", "day"):
        return requested
    span = Participation.objects.filter(question__page=page).order_by()
    first = span.order_by("created_at").values_list("created_at", flat=True).first()
    last = span.order_by("-created_at").values_list("created_at", flat=True).first()
    if first is None or (last - first) <= timedelta(hours=MAX_HOURLY_BUCKETS):
        return "hour"
    return "day"


def turnout_over_time(page: ConsultationPage, bucket: str = "hour") -> list[Bucket]:
    """Ballots cast per hour or day (by when each voter first voted on each
    question; withdrawn ballots are gone), empty periods included."""
    tz = timezone.get_current_timezone()
    trunc = TruncDay if bucket == "day" else TruncHour
    step = timedelta(days=1) if bucket == "day" else timedelta(hours=1)
    rows = (
        Participation.objects.filter(question__page=page)
        .annotate(period=trunc("created_at", tzinfo=tz))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("period")
        .values_list("period", "n")
    )
    counts = {timezone.localtime(period, tz): n for period, n in rows}
    if not counts:
        return []
    start, end = min(counts), max(counts)
    periods = []
    current = start
    # Step in local wall time: a day is a calendar day across DST changes.
    while current <= end:
        periods.append(current)
        current = timezone.localtime(current + step, tz)
        if bucket == "day":
            current = current.replace(hour=0, minute=0, second=0, microsecond=0)
    busiest = max(counts.values())
    buckets, total = [], 0
    for period in periods:
        n = counts.get(period, 0)
        total += n
        buckets.append(Bucket(period, n, total, round(100 * n / busiest, 1)))
    return buckets


def proposals_by_status(page: ConsultationPage) -> list[dict[str, Any]]:
    """Every status with its count (zeros included), in the order of the choices."""
    counts = dict(
        Proposal.objects.filter(page=page)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    busiest = max(counts.values(), default=0)
    return [
        {
            "status": status,
            "label": label,
            "count": counts.get(status, 0),
            "share": round(100 * counts.get(status, 0) / busiest, 1) if busiest else 0,
        }
        for status, label in ContributionStatus.choices
    ]


def comments_by_status(page: ConsultationPage) -> dict[str, int]:
    return dict(
        Comment.objects.filter(page=page, deleted_at__isnull=True)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def consultation_summary(page: ConsultationPage) -> dict[str, int]:
    """The listing's figures for one consultation."""
    annotated = annotate_stats(ConsultationPage.objects.filter(pk=page.pk)).values(
        "voters", "ballots_total", "proposal_count", "comment_count", "pending_count"
    )
    return annotated.get()
