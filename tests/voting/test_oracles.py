"""Our counting against independent implementations, on generated profiles.

- instant-runoff (``consult.voting.methods.irv``, and the verifier's own
  ``consult.verify.recount``) against pref-voting's instant runoff for
  truncated ballots. pref-voting eliminates every option tied for fewest
  votes at once, where ours breaks the tie (documented in ``irv``), so only
  profiles with no such tie are compared: there both rules must agree;
- the budget rule against pabutools' greedy utilitarian rule with cost
  satisfaction (fund by number of approvals while the budget allows). Its
  ties are broken otherwise than ours, so only profiles whose options have
  distinct, non-zero vote counts are compared.
"""

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from consult.verify import recount
from consult.voting.methods.budget import funded_keys
from consult.voting.methods.irv import instant_runoff

pytest.importorskip("pref_voting")
pytest.importorskip("pabutools")

OPTIONS = ["1", "2", "3", "4"]


def rankings(options):
    return st.lists(
        st.permutations(options).flatmap(
            lambda order: st.integers(1, len(order)).map(lambda n: order[:n])
        ),
        min_size=1,
        max_size=60,
    )


def has_elimination_tie(rounds) -> bool:
    for round_ in rounds:
        if round_["eliminated"] is None:
            continue
        fewest = min(round_["counts"].values())
        if sum(1 for votes in round_["counts"].values() if votes == fewest) > 1:
            return True
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(rankings(OPTIONS))
def test_instant_runoff_agrees_with_pref_voting(ballots):
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    rounds, winner = instant_runoff(ballots, OPTIONS)
    assume(not has_elimination_tie(rounds))
    assert recount.instant_runoff(ballots, OPTIONS) == (rounds, winner)

    profile = ProfileWithTies(
        [{option: rank for rank, option in enumerate(ballot, 1)} for ballot in ballots],
        candidates=OPTIONS,
    )
    theirs = instant_runoff_for_truncated_linear_orders(profile, hide_warnings=True)
    assert theirs == [winner]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    costs=st.lists(st.integers(1, 100), min_size=2, max_size=6),
    approvals=st.lists(st.sets(st.integers(0, 5), min_size=1), min_size=1, max_size=40),
    budget=st.integers(1, 300),
)
def test_budget_rule_agrees_with_pabutools_greedy(costs, approvals, budget):
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare

    approvals = [{i for i in ballot if i < len(costs)} for ballot in approvals]
    approvals = [ballot for ballot in approvals if ballot]
    votes = Counter(str(i) for ballot in approvals for i in ballot)
    assume(all(votes[str(i)] > 0 for i in range(len(costs))))
    assume(len(set(votes.values())) == len(costs))

    class Option:
        def __init__(self, pk, cost):
            self.pk, self.cost, self.label = pk, cost, str(pk)

    options = [Option(i, cost) for i, cost in enumerate(costs)]
    ours = funded_keys(budget, options, {key: (n, 0) for key, n in votes.items()})
    definition = [{"id": o.pk, "cost": o.cost, "label": o.label} for o in options]
    assert recount.greedy_budget(budget, definition, votes) == ours

    projects = {i: Project(str(i), cost) for i, cost in enumerate(costs)}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot(projects[i] for i in ballot) for ballot in approvals])
    theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert {project.name for project in theirs} == ours
