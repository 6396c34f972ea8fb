"""The one wire format of a tally, and the recount it must always equal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.core.cache import cache

from consult.models import Ballot, Question, Tally, TallyCount
from consult.outages import Outage
from consult.voting.methods.base import OptionLike, VotingMethod
from consult.voting.registry import get_method

cache_outage = Outage("the cache of computed results")


def stored_counts(question: Question) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """``(version, ballots, counts)`` as maintained incrementally."""
    version, ballots = _version_and_ballots(question)
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
    for content in _ballot_contents(question):
        ballots += 1
        for key, (v, t) in method.counts(content).items():
            votes[key] += v
            totals[key] += t
    keys = set(votes) | set(totals)
    return ballots, {key: (votes[key], totals[key]) for key in keys if votes[key] or totals[key]}


def tally_payload(question: Question) -> dict[str, Any]:
    """``{"question", "method", "version", "ballots", "results", ...}`` for ``question``.

    Counters give the results; a method that ``needs_ballots`` adds what it
    computes from the ballots, cached until the version changes.
    """
    version, ballots, counts = stored_counts(question)
    method = get_method(question.method)
    options = list(question.options.all())
    payload = {
        "question": question.pk,
        "method": question.method,
        "version": version,
        "ballots": ballots,
        **method.results(question, options, counts),
    }
    if method.needs_ballots:
        payload.update(_cached_ballot_results(question, method, options, version))
    return payload


def pending_payload(question: Question) -> dict[str, Any]:
    """``question``'s tally as it will look, before a single number of it is
    public: every entry, all counts zero. Pages render it hidden when results
    come out at the close of voting, so the tally pushed then has a table to
    fill in; no query reads ballots or counters for it."""
    method = get_method(question.method)
    options = list(question.options.all())
    payload = {
        "question": question.pk,
        "method": question.method,
        "version": 0,
        "ballots": 0,
        **method.results(question, options, {}),
    }
    if method.needs_ballots:
        payload.update(method.ballot_results(question, options, iter(())))
    return payload


def turnout_payload(question: Question) -> dict[str, Any]:
    """What may be said of a question whose results are not visible: its turnout."""
    version, ballots = _version_and_ballots(question)
    return {"question": question.pk, "version": version, "ballots": ballots}


def _ballot_contents(question: Question) -> Iterator[Mapping[str, Any]]:
    return (
        Ballot.objects.filter(question=question)
        .values_list("content", flat=True)
        .iterator(chunk_size=2000)
    )


def _version_and_ballots(question: Question) -> tuple[int, int]:
    tally = Tally.objects.filter(question=question).values_list("version", "ballots").first()
    return tally or (0, 0)


def _cached_ballot_results(
    question: Question, method: VotingMethod, options: Sequence[OptionLike], version: int
) -> dict[str, Any]:
    """``method.ballot_results`` for the ballots as of ``version``.

    One cache entry per question, overwritten when the version moves on, so
    superseded states never pile up. The entry also records the method and
    the options in order (the tie-break reads it): those can change without
    a new version, for instance once every ballot has been withdrawn.
    The cache only saves work: when it fails, the rounds are computed.
    """
    key = f"consult:ballot-results:{question.pk}"
    stamp = [version, method.key, [option.pk for option in options]]
    try:
        cached = cache.get(key)
    except Exception as error:  # any backend's own errors
        cache_outage.failed(error)
        cached = None
    else:
        cache_outage.succeeded()
    if cached is not None and cached["stamp"] == stamp:
        return cached["results"]
    results = method.ballot_results(question, options, _ballot_contents(question))
    # A ballot committed while the ballots were read would make this the
    # next version's result stored under this one: then do not keep it.
    if _version_and_ballots(question)[0] == version:
        try:
            cache.set(key, {"stamp": stamp, "results": results}, timeout=None)
        except Exception as error:
            cache_outage.failed(error)
    return results
