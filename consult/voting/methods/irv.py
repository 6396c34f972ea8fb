"""Instant-runoff counting: rankings in, rounds and winner out. No Django.

Each round counts every ballot for its highest-ranked continuing option;
a ballot with none left is *exhausted*. An option with more than half of
the round's non-exhausted ballots wins. Otherwise the continuing option with
the fewest votes in the round is eliminated, one per round. Ties for fewest
are broken, in turn, by

1. fewest first preferences (round 1 votes);
2. fewest votes in the previous rounds, latest round first;
3. the option that comes last in the question's option order.

The rule never draws lots, so a recount always gives the same rounds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict


class Round(TypedDict):
    counts: dict[str, int]
    eliminated: str | None
    exhausted: int


def instant_runoff(
    rankings: Iterable[Sequence[str]], order: Sequence[str]
) -> tuple[list[Round], str | None]:
    """``(rounds, winner)`` for ballots ranking option keys; ``order`` lists
    every option's key in the question's order (keys a ranking names outside
    it are skipped). No ballots: no rounds and no winner."""
    groups = Counter(tuple(ranking) for ranking in rankings)
    if not groups:
        return [], None
    continuing = dict.fromkeys(order)
    # Where each distinct ranking's top continuing choice sits: it only ever
    # moves down, so a whole count costs one pass over every ranking.
    tops = dict.fromkeys(groups, 0)
    history: list[dict[str, int]] = []
    rounds: list[Round] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, ballots in groups.items():
            at = tops[ranking]
            while at < len(ranking) and ranking[at] not in continuing:
                at += 1
            tops[ranking] = at
            if at < len(ranking):
                counts[ranking[at]] += ballots
            else:
                exhausted += ballots
        history.append(counts)
        active = sum(counts.values())
        leader = max(counts, key=counts.__getitem__, default=None)
        if leader is not None and 2 * counts[leader] > active:
            rounds.append({"counts": counts, "eliminated": None, "exhausted": exhausted})
            return rounds, leader
        if not active:
            # Only ballots for options the question no longer has: no winner.
            rounds.append({"counts": counts, "eliminated": None, "exhausted": exhausted})
            return rounds, None
        loser = _to_eliminate(history, order)
        rounds.append({"counts": counts, "eliminated": loser, "exhausted": exhausted})
        del continuing[loser]


def _to_eliminate(history: Sequence[Mapping[str, int]], order: Sequence[str]) -> str:
    current, first, earlier = history[-1], history[0], history[-2::-1]
    position = {key: index for index, key in enumerate(order)}
    return min(
        current,
        key=lambda key: (
            current[key],
            first[key],
            *(counts[key] for counts in earlier),
            -position[key],
        ),
    )
