"""The one wire format of a tally, and the recount it must always equal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from consult.models import Ballot, Question, Tally, TallyCount
from consult.voting.registry import get_method


def stored_counts(question: Question) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """``(version, ballots, counts)`` as maintained incrementally."""
    tally = Tally.objects.filter(question=question).values_list("version", "ballots").first()
    version, ballots = tally or (0, 0)
    counts = {
        key: (votes, total)
        for key, votes, total in TallyCount.objects.filter(question=question).values_list(
            "key", "votes", "total"
        )
        if votes or total
    }
    return version, ballots, counts


def recount(question: Question) -> tuple[int, dict[str, tuple[int, int]]]:
    """``(ballots, counts)`` computed afresh from the stored ballots."""
    method = get_method(question.method)
    votes: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    ballots = 0
    for content in Ballot.objects.filter(question=question).values_list("content", flat=True):
        ballots += 1
        for key, (v, t) in method.counts(content).items():
            votes[key] += v
            totals[key] += t
    keys = set(votes) | set(totals)
    return ballots, {key: (votes[key], totals[key]) for key in keys if votes[key] or totals[key]}


def tally_payload(question: Question) -> dict[str, Any]:
    """``{"question", "method", "version", "ballots", "results", ...}`` for ``question``."""
    version, ballots, counts = stored_counts(question)
    method = get_method(question.method)
    options = list(question.options.all())
    return {
        "question": question.pk,
        "method": question.method,
        "version": version,
        "ballots": ballots,
        **method.results(question, options, counts),
    }


def turnout_payload(question: Question) -> dict[str, Any]:
    """What may be said of a question whose results are not visible: its turnout."""
    tally = Tally.objects.filter(question=question).values_list("version", "ballots").first()
    version, ballots = tally or (0, 0)
    return {"question": question.pk, "version": version, "ballots": ballots}
