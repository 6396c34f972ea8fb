"""Properties of every voting method.

- ``clean`` refuses any JSON it cannot accept with ``InvalidBallot`` and
  nothing else, and what it accepts is stable content;
- for random casts, replacements and withdrawals by several voters through
  the real ballot service, the incremental tally equals a recount of the
  stored ballots and ``tally_payload`` equals a payload computed from that
  recount alone;
- instant-runoff rounds and budget funding keep their invariants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.exceptions import InvalidBallot, NoBallot
from consult.models import Ballot, Participation, Tally, TallyCount
from consult.voting import services
from consult.voting.methods.budget import funded_keys
from consult.voting.methods.irv import instant_runoff
from consult.voting.registry import get_method
from consult.voting.tally import recount, stored_counts, tally_payload
from tests import factories

METHODS = ["yes_no", "single", "approval", "ranked", "score", "budget"]
DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


@dataclass(frozen=True)
class Opt:
    pk: int
    label: str
    cost: int = 0


PURE_OPTIONS = [Opt(1, "One", 30), Opt(2, "Two", 50), Opt(3, "Three", 20), Opt(4, "Four", 0)]
QUESTION_LIMITS = {"min_choices": 1, "max_choices": 3, "max_score": 3, "budget": 80}
PURE_QUESTION = SimpleNamespace(pk=1, **QUESTION_LIMITS)
FIELDS = {"approval": "options", "budget": "options", "ranked": "ranking", "score": "scores"}


def as_sent(ids):
    """An option id as the API may send it: a number or a string of digits."""
    return st.sampled_from(ids).flatmap(lambda pk: st.sampled_from([pk, str(pk)]))


def valid_bodies(method: str, ids: list[int], costs: dict[int, int]):
    """Bodies ``clean`` accepts for a question with the limits of QUESTION_LIMITS."""
    if method == "yes_no":
        return st.fixed_dictionaries({"choice": st.sampled_from(["yes", "no", "abstain"])})
    if method == "single":
        return st.fixed_dictionaries({"option": as_sent(ids)})
    if method == "score":
        limit = QUESTION_LIMITS["max_score"]
        scores = st.dictionaries(st.sampled_from([str(pk) for pk in ids]), st.integers(0, limit))
        return st.fixed_dictionaries({"scores": scores.filter(bool)})
    if method == "ranked":
        prefixes = st.permutations(ids).flatmap(
            lambda order: st.integers(1, len(order)).map(lambda k: order[:k])
        )
        return st.fixed_dictionaries({"ranking": prefixes})
    if method == "approval":
        low, high = QUESTION_LIMITS["min_choices"], QUESTION_LIMITS["max_choices"]
        chosen = st.lists(st.sampled_from(ids), unique=True, min_size=low, max_size=high)
        return st.fixed_dictionaries({"options": chosen})
    affordable = st.lists(st.sampled_from(ids), unique=True).filter(
        lambda chosen: sum(costs[pk] for pk in chosen) <= QUESTION_LIMITS["budget"]
    )
    return st.fixed_dictionaries({"options": affordable})


def sloppy_bodies(method: str, ids: list[int]):
    """Bodies shaped like the method's, with wrong items, counts or values."""
    item = as_sent(ids) | json_values
    if method == "yes_no":
        return st.fixed_dictionaries({"choice": json_values})
    if method == "single":
        return st.fixed_dictionaries({"option": item})
    if method == "score":
        keys = st.sampled_from([str(pk) for pk in ids]) | st.text(max_size=3)
        scores = st.dictionaries(keys, st.integers(-1, 4) | json_values, max_size=len(ids) + 1)
        return st.fixed_dictionaries({"scores": scores | json_values})
    items = st.lists(item, max_size=len(ids) + 2)
    return st.fixed_dictionaries({FIELDS[method]: items | json_values})


def bodies(method: str, ids: list[int], costs: dict[int, int]):
    """Mostly valid bodies; one in eight is sloppy or any JSON at all."""
    wrong = sloppy_bodies(method, ids) | json_values
    return st.integers(0, 7).flatmap(
        lambda n: wrong if n == 7 else valid_bodies(method, ids, costs)
    )


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=100, deadline=None, database=None)
@given(data=st.data())
def test_clean_refuses_only_with_invalid_ballot(method, data):
    voting = get_method(method)
    ids = [option.pk for option in PURE_OPTIONS]
    costs = {option.pk: option.cost for option in PURE_OPTIONS}
    body = data.draw(valid_bodies(method, ids, costs) | sloppy_bodies(method, ids) | json_values)
    if method in FIELDS:
        body = data.draw(st.sampled_from([body, {FIELDS[method]: body}]))
    try:
        content = voting.clean(PURE_QUESTION, body, PURE_OPTIONS)
    except InvalidBallot as error:
        assert str(error.detail)
        return
    # Accepted content survives the JSON column, is its own clean form and counts.
    stored = json.loads(json.dumps(content))
    assert stored == content
    assert voting.clean(PURE_QUESTION, stored, PURE_OPTIONS) == content
    for votes, total in voting.counts(stored).values():
        assert votes == 1 and total >= 0


# ------------------------------------------------------ incremental == recount


# Function-scoped, so shared by all of Hypothesis's examples of one test:
# building Wagtail pages per example would dominate the run time.
@pytest.fixture
def question(db, method):
    spec = {"title": f"A {method} question", "method": method}
    if method != "yes_no":
        spec["options"] = [
            {"label": "Trees", "cost": 30},
            {"label": "Bench", "cost": 50},
            {"label": "Fountain", "cost": 20},
            {"label": "Map", "cost": 0},
        ]
    spec.update(QUESTION_LIMITS)
    page = factories.make_consultation(questions=[spec], allow_vote_change=True)
    return factories.first_question(page)


@pytest.fixture
def voters(db):
    return [factories.make_user() for _ in range(3)]


def payload_from_recount(question) -> dict:
    """The tally as it must be, from the stored ballots alone."""
    method = get_method(question.method)
    options = list(question.options.all())
    ballots, counts = recount(question)
    payload = {
        "question": question.pk,
        "method": question.method,
        "version": stored_counts(question)[0],
        "ballots": ballots,
        **method.results(question, options, counts),
    }
    if method.needs_ballots:
        contents = Ballot.objects.filter(question=question).values_list("content", flat=True)
        payload.update(method.ballot_results(question, options, list(contents)))
    return payload


def reset(question) -> None:
    for model in (Ballot, Participation, TallyCount, Tally):
        model.objects.filter(question=question).delete()
    # Versions restart at 0 here, which never happens outside this test.
    cache.clear()


@pytest.mark.parametrize("method", METHODS)
@DB_SETTINGS
@given(data=st.data())
def test_incremental_tally_always_equals_a_recount(question, voters, data):
    options = list(question.options.all())
    ids = [option.pk for option in options] or [0]  # yes/no: no options
    costs = {option.pk: option.cost for option in options}
    reset(question)
    ops = st.tuples(
        st.integers(0, len(voters) - 1),
        st.sampled_from(["cast", "cast", "cast", "retract"]),
        bodies(question.method, ids, costs),
    )
    for voter, action, body in data.draw(st.lists(ops, min_size=3, max_size=16)):
        try:
            if action == "cast":
                services.cast_ballot(voters[voter], question, body)
            else:
                services.retract_ballot(voters[voter], question)
        except (InvalidBallot, NoBallot):
            pass
        # Every intermediate state too: tally_payload is read (and, for
        # ranked, cached) between writes, as the live page does.
        _version, ballots, counts = stored_counts(question)
        assert (ballots, counts) == recount(question)
        assert tally_payload(question) == payload_from_recount(question)
    assert Ballot.objects.filter(question=question).count() == stored_counts(question)[1]


# --------------------------------------------------------------- invariants


@settings(max_examples=200, deadline=None, database=None)
@given(
    order=st.permutations("ABCDE"),
    rankings=st.lists(
        st.lists(st.sampled_from("ABCDEZ"), unique=True, min_size=1, max_size=6), max_size=40
    ),
)
def test_instant_runoff_invariants(order, rankings):
    rounds, winner = instant_runoff(rankings, order)
    if not rankings:
        assert (rounds, winner) == ([], None)
        return
    continuing = list(order)
    exhausted = 0
    for number, round_ in enumerate(rounds, 1):
        counts = round_["counts"]
        assert list(counts) == continuing
        assert sum(counts.values()) + round_["exhausted"] == len(rankings)
        assert round_["exhausted"] >= exhausted
        exhausted = round_["exhausted"]
        if number < len(rounds):
            loser = round_["eliminated"]
            assert counts[loser] == min(counts.values())
            assert 2 * max(counts.values()) <= sum(counts.values())
            continuing.remove(loser)
        else:
            assert round_["eliminated"] is None
    last = rounds[-1]["counts"]
    if winner is None:
        assert sum(last.values()) == 0  # only ballots for unknown options
    else:
        assert 2 * last[winner] > sum(last.values())


@settings(max_examples=200, deadline=None, database=None)
@given(
    budget=st.integers(0, 200),
    costs=st.lists(st.integers(0, 120), min_size=1, max_size=6),
    votes=st.data(),
)
def test_budget_funding_invariants(budget, costs, votes):
    options = [Opt(pk, f"o{pk}", cost) for pk, cost in enumerate(costs, 1)]
    counts = {str(o.pk): (votes.draw(st.integers(0, 5)), 0) for o in options}
    funded = funded_keys(budget, options, counts)
    spent = sum(o.cost for o in options if str(o.pk) in funded)
    assert spent <= budget
    for option in options:
        chosen = counts[str(option.pk)][0] > 0
        if str(option.pk) in funded:
            assert chosen
        elif chosen:
            # Greedy: it did not fit when its turn came, and what is left
            # only shrinks, so it does not fit in what is left at the end.
            assert option.cost > budget - spent
