"""A recount of one question from its replayed ballots, by the rules of SPEC §5.

Written from the SPEC, not from the server's counting code, so that the two
check each other. ``check_ballot`` says why a ballot could not have been
accepted; ``recount`` gives the tally the server should have published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

YES_NO = ("yes", "no", "abstain")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ids(definition: Mapping[str, Any]) -> list[int]:
    return [option["id"] for option in definition["options"]]


def _distinct_known(values: Any, known: set[int]) -> str | None:
    if not isinstance(values, list) or not all(_is_id(value) for value in values):
        return "not a list of option ids"
    if len(set(values)) != len(values):
        return "an option appears twice"
    if not set(values) <= known:
        return "names an option the question does not have"
    return None


def check_ballot(definition: Mapping[str, Any], ballot: Any) -> str | None:
    """Why ``ballot`` breaks the rules of its question, or None."""
    method = definition["method"]
    known = set(_ids(definition))
    if not isinstance(ballot, dict):
        return "not an object"
    if method == "yes_no":
        return None if ballot.get("choice") in YES_NO and len(ballot) == 1 else "bad choice"
    if method == "single":
        ok = set(ballot) == {"option"} and _is_id(ballot["option"]) and ballot["option"] in known
        return None if ok else "bad option"
    if method in ("approval", "budget"):
        if set(ballot) != {"options"}:
            return "needs exactly an “options” list"
        problem = _distinct_known(ballot["options"], known)
        if problem:
            return problem
        count = len(ballot["options"])
        if method == "approval":
            low, high = definition["min_choices"], definition["max_choices"]
            if count < low or (high is not None and count > high):
                return "number of options outside min_choices..max_choices"
            return None
        costs = {option["id"]: option["cost"] for option in definition["options"]}
        budget = definition["budget"]
        if budget is None or sum(costs[pk] for pk in ballot["options"]) > budget:
            return "costs more than the budget"
        return None
    if method == "ranked":
        if set(ballot) != {"ranking"}:
            return "needs exactly a “ranking” list"
        problem = _distinct_known(ballot["ranking"], known)
        return problem or (None if ballot["ranking"] else "ranks nothing")
    if method == "score":
        scores = ballot.get("scores")
        if set(ballot) != {"scores"} or not isinstance(scores, dict) or not scores:
            return "needs a non-empty “scores” object"
        for key, score in scores.items():
            if not (key.isascii() and key.isdigit()) or int(key) not in known:
                return "scores an option the question does not have"
            if not _is_id(score) or not 0 <= score <= definition["max_score"]:
                return "a score outside 0..max_score"
        return None
    return f"unknown method {method!r}"


def recount(definition: Mapping[str, Any], ballots: Sequence[Mapping[str, Any]]) -> dict:
    """The tally of SPEC §6 for ``ballots`` (all valid), without ``version``."""
    method = definition["method"]
    options = definition["options"]
    tally: dict[str, Any] = {"question": definition["id"], "method": method}
    tally["ballots"] = len(ballots)
    if method == "yes_no":
        votes = Counter(ballot["choice"] for ballot in ballots)
        tally["results"] = [{"key": key, "votes": votes[key]} for key in YES_NO]
        return tally
    if method == "score":
        sums: Counter[str] = Counter()
        counts: Counter[str] = Counter()
        for ballot in ballots:
            for key, score in ballot["scores"].items():
                sums[key] += score
                counts[key] += 1
        tally["results"] = [
            {
                "key": str(option["id"]),
                "label": option["label"],
                "votes": counts[str(option["id"])],
                "sum": sums[str(option["id"])],
                "count": counts[str(option["id"])],
                "mean": _mean(sums[str(option["id"])], counts[str(option["id"])]),
            }
            for option in options
        ]
        return tally
    if method == "single":
        votes = Counter(str(ballot["option"]) for ballot in ballots)
    elif method == "ranked":
        votes = Counter(str(ballot["ranking"][0]) for ballot in ballots)
    else:
        votes = Counter(str(pk) for ballot in ballots for pk in ballot["options"])
    tally["results"] = [
        {"key": str(option["id"]), "label": option["label"], "votes": votes[str(option["id"])]}
        for option in options
    ]
    if method == "budget":
        funded = greedy_budget(definition["budget"], options, votes)
        for entry, option in zip(tally["results"], options, strict=True):
            entry["cost"] = option["cost"]
            entry["funded"] = entry["key"] in funded
    if method == "ranked":
        rounds, winner = instant_runoff(
            [[str(pk) for pk in ballot["ranking"]] for ballot in ballots],
            [str(option["id"]) for option in options],
        )
        tally["rounds"], tally["winner"] = rounds, winner
    return tally


def _mean(total: int, count: int) -> float | None:
    if not count:
        return None
    return float((Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def greedy_budget(
    budget: int | None, options: Sequence[Mapping[str, Any]], votes: Mapping[str, int]
) -> set[str]:
    """Fund by votes, most first (ties: lower cost, then option order), each
    option that still fits; an option without votes is never funded."""
    if budget is None:
        return set()
    ranked = [
        (-votes[str(option["id"])], option["cost"], position, option)
        for position, option in enumerate(options)
        if votes[str(option["id"])] > 0
    ]
    funded, left = set(), budget
    for _votes, cost, _position, option in sorted(ranked, key=lambda item: item[:3]):
        if cost <= left:
            funded.add(str(option["id"]))
            left -= cost
    return funded


def instant_runoff(
    rankings: Iterable[Sequence[str]], order: Sequence[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """Rounds and winner. Each round counts a ballot for its highest-ranked
    continuing option; more than half of the non-exhausted ballots wins.
    Otherwise the option with the fewest votes goes; ties go, in turn, to
    fewest first preferences, fewest votes in earlier rounds (latest first),
    then the option last in the question's order."""
    rankings = list(rankings)
    if not rankings:
        return [], None
    continuing = list(order)
    history: list[dict[str, int]] = []
    rounds: list[dict[str, Any]] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking in rankings:
            top = next((key for key in ranking if key in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        history.append(counts)
        active = sum(counts.values())
        best = max(counts.values(), default=0)
        if active and 2 * best > active:
            winner = next(key for key in continuing if counts[key] == best)
            rounds.append({"counts": counts, "eliminated": None, "exhausted": exhausted})
            return rounds, winner
        if not active:
            rounds.append({"counts": counts, "eliminated": None, "exhausted": exhausted})
            return rounds, None
        loser = min(continuing, key=lambda key: _weakness(key, history, order))
        rounds.append({"counts": counts, "eliminated": loser, "exhausted": exhausted})
        continuing.remove(loser)


def _weakness(key: str, history: Sequence[Mapping[str, int]], order: Sequence[str]) -> tuple:
    """Sorts the option to eliminate first: fewest votes now, then fewest
    first preferences, then fewest in earlier rounds (latest first), then
    last in the question's order."""
    earlier = [past[key] for past in reversed(history[:-1])]
    return (history[-1][key], history[0][key], *earlier, -order.index(key))
