"""The voting methods as pure functions: validation, counters, results,
instant-runoff (published examples and the tie-break), budget funding and
the page-form translation. No database."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from consult.exceptions import InvalidBallot
from consult.voting.methods import BUILTIN_METHODS
from consult.voting.methods.budget import funded_keys
from consult.voting.methods.irv import instant_runoff
from consult.voting.methods.score import mean
from consult.voting.registry import get_method


@dataclass(frozen=True)
class Opt:
    pk: int
    label: str
    cost: int = 0


OPTIONS = [Opt(11, "Green"), Opt(12, "Hall"), Opt(13, "Plaza"), Opt(14, "Pier")]
GREEN, HALL, PLAZA, PIER = OPTIONS


def question(**limits):
    fields = {"pk": 1, "min_choices": 1, "max_choices": None, "max_score": 5, "budget": None}
    return SimpleNamespace(**{**fields, **limits})


def refused(method: str, body, q=None, options=OPTIONS) -> str:
    with pytest.raises(InvalidBallot) as caught:
        get_method(method).clean(q or question(), body, options)
    return str(caught.value.detail)


def test_every_builtin_method_is_registered():
    keys = [cls.key for cls in BUILTIN_METHODS]
    assert keys == ["yes_no", "single", "approval", "ranked", "score", "budget"]
    for key in keys:
        assert get_method(key).key == key


# ---------------------------------------------------------------- shared rules


@pytest.mark.parametrize("method", ["approval", "ranked", "budget"])
@pytest.mark.parametrize(
    ("items", "problem"),
    [
        ("11", "must be a list of option ids"),
        ({"11": 1}, "must be a list of option ids"),
        ([11, 11], "Option 11 appears more than once"),
        ([11, "11"], "Option 11 appears more than once"),
        ([99], "99 is not an option of this question"),
        ([True], "numeric id"),
        ([1.0], "numeric id"),
        ([None], "numeric id"),
        ([{"id": 11}], "numeric id"),
        (["11 "], "numeric id"),
        (["١١"], "numeric id"),
        (["-11"], "numeric id"),
        ([-11], "-11 is not an option"),
        (["9" * 5000], "numeric id"),
        ([10**5000], "… is not an option of this question"),
        ([11, 12, 13, 14] + [11] * 10**6, "Option 11 appears more than once"),
    ],
)
def test_lists_of_options_are_checked(method, items, problem):
    field = {"approval": "options", "ranked": "ranking", "budget": "options"}[method]
    q = question(budget=10**9, max_choices=None)
    assert problem in refused(method, {field: items}, q)


@pytest.mark.parametrize("method", ["approval", "ranked", "score", "budget"])
@pytest.mark.parametrize("body", [None, [], "x", 3, {}, {"wrong": []}])
def test_a_body_without_the_field_is_refused(method, body):
    assert "The ballot needs a" in refused(method, body, question(budget=100))


# -------------------------------------------------------------------- approval


def test_approval_stores_ids_in_option_order():
    content = get_method("approval").clean(question(), {"options": ["13", 11]}, OPTIONS)
    assert content == {"options": [11, 13]}
    assert get_method("approval").counts(content) == {"11": (1, 0), "13": (1, 0)}


@pytest.mark.parametrize(
    ("low", "high", "chosen", "problem"),
    [
        (1, None, [], "Choose at least 1 option."),
        (2, 3, [11], "Choose at least 2 options."),
        (1, 2, [11, 12, 13], "Choose at most 2 options."),
        (1, 1, [11, 12], "Choose at most 1 option."),
    ],
)
def test_approval_bounds_are_refused(low, high, chosen, problem):
    q = question(min_choices=low, max_choices=high)
    assert refused("approval", {"options": chosen}, q) == problem


@pytest.mark.parametrize(
    ("low", "high", "chosen"),
    [(0, None, []), (1, None, [11, 12, 13, 14]), (2, 3, [11, 12]), (2, 3, [11, 12, 13])],
)
def test_approval_bounds_are_inclusive(low, high, chosen):
    q = question(min_choices=low, max_choices=high)
    assert get_method("approval").clean(q, {"options": chosen}, OPTIONS)["options"] == chosen


def test_approval_config_errors():
    approval = get_method("approval")
    assert approval.config_errors({"min_choices": 1, "max_choices": 3}, 4) == []
    assert approval.config_errors({"min_choices": 0, "max_choices": None}, 2) == []
    errors = [str(e) for e in approval.config_errors({"min_choices": 3, "max_choices": 2}, 2)]
    assert errors == [
        "The minimum number of choices cannot be above the maximum.",
        "Voters must choose at least 3 options, but there are only 2.",
    ]
    assert "at least 2 options" in str(approval.config_errors({"min_choices": 1}, 1)[0])


def test_approval_results_count_votes_per_option():
    counts = {"11": (3, 0), "13": (1, 0)}
    results = get_method("approval").results(question(), OPTIONS, counts)["results"]
    assert [(e["key"], e["label"], e["votes"]) for e in results] == [
        ("11", "Green", 3),
        ("12", "Hall", 0),
        ("13", "Plaza", 1),
        ("14", "Pier", 0),
    ]


# ---------------------------------------------------------------------- ranked


def test_ranked_keeps_the_voters_order_and_counts_the_first_preference():
    ranked = get_method("ranked")
    content = ranked.clean(question(), {"ranking": ["13", 11]}, OPTIONS)
    assert content == {"ranking": [13, 11]}
    assert ranked.counts(content) == {"13": (1, 0)}
    assert ranked.selected(content) == {"13", "11"}


@pytest.mark.parametrize(
    ("ranking", "problem"),
    [
        ([], "Rank at least one option."),
        ([11, [12, 13]], "Rank 2 is given to more than one option."),
        ([[11], 12], "numeric id"),
        ([[], 12], "numeric id"),
        ([11, 12, 13, 14, 11], "Option 11 appears more than once"),
    ],
)
def test_ranked_ballot_errors(ranking, problem):
    assert problem in refused("ranked", {"ranking": ranking})


def test_ranked_needs_two_options():
    ranked = get_method("ranked")
    assert ranked.config_errors({}, 2) == []
    assert "at least 2 options" in str(ranked.config_errors({}, 1)[0])


def ballots(*groups):
    """``(count, "ABC")`` groups as a list of rankings of one-letter keys."""
    return [list(order) for count, order in groups for _ in range(count)]


def test_irv_tennessee_capital():
    # Wikipedia, "Instant-runoff voting": Tennessee's capital, 100 voters.
    rankings = ballots((42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM"))
    rounds, winner = instant_runoff(rankings, "MNCK")
    assert rounds == [
        {"counts": {"M": 42, "N": 26, "C": 15, "K": 17}, "eliminated": "C", "exhausted": 0},
        {"counts": {"M": 42, "N": 26, "K": 32}, "eliminated": "N", "exhausted": 0},
        {"counts": {"M": 42, "K": 58}, "eliminated": None, "exhausted": 0},
    ]
    assert winner == "K"


def test_irv_is_not_monotonic_tannenbaum():
    # Tannenbaum, "Excursions in Modern Mathematics": C wins; when the four
    # A>C>B voters move C to the top, C loses to B.
    before = ballots((7, "ABC"), (8, "BCA"), (10, "CAB"), (4, "ACB"))
    rounds, winner = instant_runoff(before, "ABC")
    assert [r["eliminated"] for r in rounds] == ["B", None]
    assert rounds[-1]["counts"] == {"A": 11, "C": 18}
    assert winner == "C"

    after = ballots((7, "ABC"), (8, "BCA"), (10, "CAB"), (4, "CAB"))
    rounds, winner = instant_runoff(after, "ABC")
    assert [r["eliminated"] for r in rounds] == ["A", None]
    assert rounds[-1]["counts"] == {"B": 15, "C": 14}
    assert winner == "B"


def test_irv_majority_in_the_first_round():
    rounds, winner = instant_runoff(ballots((3, "AB"), (2, "BA")), "AB")
    assert rounds == [{"counts": {"A": 3, "B": 2}, "eliminated": None, "exhausted": 0}]
    assert winner == "A"


def test_irv_tie_for_fewest_goes_to_fewest_first_preferences():
    # Round 3: X and Y both have 6. X had fewer first preferences (4 < 5),
    # though more votes than Y in round 2 (6 > 5): rule 1 decides, X goes.
    rankings = ballots((12, "A"), (5, "Y"), (4, "X"), (1, "QY"), (2, "Q"), (2, "PX"))
    rounds, winner = instant_runoff(rankings, "AXYPQ")
    assert [r["eliminated"] for r in rounds] == ["P", "Q", "X", None]
    assert rounds[2]["counts"] == {"A": 12, "X": 6, "Y": 6}
    assert rounds[2]["exhausted"] == 2
    assert winner == "A"


def test_irv_tie_then_goes_to_fewest_in_the_latest_earlier_round():
    # Round 3: X and Y both have 4 and had 3 first preferences each; in
    # round 2 Y had fewer (3 < 4), so Y goes.
    rankings = ballots((8, "A"), (3, "X"), (3, "Y"), (1, "PX"), (1, "QY"), (1, "Q"))
    rounds, winner = instant_runoff(rankings, "AXYPQ")
    assert [r["eliminated"] for r in rounds] == ["P", "Q", "Y", None]
    assert rounds[2]["counts"] == {"A": 8, "X": 4, "Y": 4}
    assert [r["exhausted"] for r in rounds] == [0, 0, 1, 5]
    assert winner == "A"


@pytest.mark.parametrize(("order", "winner"), [("AB", "A"), ("BA", "B")])
def test_irv_full_tie_eliminates_the_option_listed_last(order, winner):
    rounds, won = instant_runoff([["A"], ["B"]], order)
    assert rounds[0]["eliminated"] == order[1]
    # The eliminated option's ballot is then exhausted: 1 of 1 is a majority.
    assert rounds[1] == {"counts": {order[0]: 1}, "eliminated": None, "exhausted": 1}
    assert won == winner


def test_irv_options_nobody_ranked_go_one_per_round():
    rounds, winner = instant_runoff(ballots((2, "A"), (2, "B"), (1, "CB")), "ABCDE")
    assert [r["eliminated"] for r in rounds] == ["E", "D", "C", None]
    assert winner == "B"


def test_irv_single_option_no_ballots_and_unknown_keys():
    assert instant_runoff([["A"]], "A") == (
        [{"counts": {"A": 1}, "eliminated": None, "exhausted": 0}],
        "A",
    )
    assert instant_runoff([], "AB") == ([], None)
    rounds, winner = instant_runoff([["Z"]], "AB")
    assert winner is None
    assert rounds == [{"counts": {"A": 0, "B": 0}, "eliminated": None, "exhausted": 1}]


def test_ranked_ballot_results_name_options_by_key():
    contents = [{"ranking": [12, 11]}, {"ranking": [11]}, {"ranking": [13, 11]}]
    extras = get_method("ranked").ballot_results(question(), OPTIONS[:3], contents)
    assert extras == {
        "rounds": [
            {"counts": {"11": 1, "12": 1, "13": 1}, "eliminated": "13", "exhausted": 0},
            {"counts": {"11": 2, "12": 1}, "eliminated": None, "exhausted": 0},
        ],
        "winner": "11",
    }


# ----------------------------------------------------------------------- score


def test_score_stores_scored_options_in_option_order():
    score = get_method("score")
    content = score.clean(question(max_score=5), {"scores": {"13": 5, 11: 0}}, OPTIONS)
    assert content == {"scores": {"11": 0, "13": 5}}
    assert score.counts(content) == {"11": (1, 0), "13": (1, 5)}
    assert score.selected(content) == {"11", "13"}


@pytest.mark.parametrize(
    ("scores", "problem"),
    [
        ([11, 3], "“scores” must map option ids to scores."),
        ("11:3", "“scores” must map option ids to scores."),
        ({}, "Score at least one option."),
        ({"99": 1}, "99 is not an option of this question."),
        ({None: 1}, "numeric id"),
        ({(11,): 1}, "numeric id"),
        ({"x": 1}, "numeric id"),
        ({"11": 1, 11: 2}, "Option 11 appears more than once."),
        ({"11": 6}, "The score for “Green” must be a whole number from 0 to 5."),
        ({"11": -1}, "from 0 to 5"),
        ({"11": 2.0}, "from 0 to 5"),
        ({"11": 2.5}, "from 0 to 5"),
        ({"11": True}, "from 0 to 5"),
        ({"11": "3"}, "from 0 to 5"),
        ({"11": None}, "from 0 to 5"),
        ({"11": [3]}, "from 0 to 5"),
        ({"11": 10**30}, "from 0 to 5"),
    ],
)
def test_score_ballot_errors(scores, problem):
    assert problem in refused("score", {"scores": scores}, question(max_score=5))


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [(0, 0, None), (10, 4, 2.5), (2, 3, 0.67), (1, 8, 0.13), (107, 40, 2.68), (5, 1, 5.0)],
)
def test_score_mean_rounds_half_up_to_two_decimals(total, count, expected):
    # 1/8 = 0.125 and 107/40 = 2.675: halves go up (float rounding gives 0.12, 2.67).
    assert mean(total, count) == expected


def test_score_results_leave_unscored_options_without_a_mean():
    counts = {"11": (3, 10), "12": (1, 0)}
    results = get_method("score").results(question(), OPTIONS[:3], counts)["results"]
    assert results == [
        {"key": "11", "label": "Green", "votes": 3, "sum": 10, "count": 3, "mean": 3.33},
        {"key": "12", "label": "Hall", "votes": 1, "sum": 0, "count": 1, "mean": 0.0},
        {"key": "13", "label": "Plaza", "votes": 0, "sum": 0, "count": 0, "mean": None},
    ]


# ---------------------------------------------------------------------- budget

PROJECTS = [Opt(21, "Trees", 40), Opt(22, "Bench", 10), Opt(23, "Fountain", 60), Opt(24, "Map", 0)]


def test_budget_accepts_an_exact_fit_and_zero_cost_options():
    budget = get_method("budget")
    content = budget.clean(question(budget=100), {"options": [24, 23, 21]}, PROJECTS)
    assert content == {"options": [21, 23, 24]}
    assert budget.counts(content) == {"21": (1, 0), "23": (1, 0), "24": (1, 0)}
    assert budget.clean(question(budget=0), {"options": [24]}, PROJECTS) == {"options": [24]}
    assert budget.clean(question(budget=5), {"options": []}, PROJECTS) == {"options": []}


def test_budget_refuses_an_over_budget_ballot():
    problem = refused("budget", {"options": [21, 22, 23]}, question(budget=100), PROJECTS)
    assert problem == "Your choices cost 110 in all, more than the budget of 100."


def test_budget_without_a_budget_refuses_every_ballot():
    problem = refused("budget", {"options": [24]}, question(budget=None), PROJECTS)
    assert problem == "This question has no budget yet, so it cannot take ballots."


def test_budget_config_needs_a_budget():
    budget = get_method("budget")
    assert budget.config_errors({"budget": 0}, 2) == []
    assert [str(e) for e in budget.config_errors({"budget": None}, 2)] == [
        "A participatory budget question needs a budget."
    ]


def votes(**by_pk):
    return {key.removeprefix("o"): (n, 0) for key, n in by_pk.items()}


@pytest.mark.parametrize(
    ("budget", "counts", "funded"),
    [
        # Most votes first; Fountain (60) no longer fits after Trees + Bench.
        (100, votes(o21=5, o22=4, o23=3), {"21", "22"}),
        # Exact fit.
        (110, votes(o21=5, o22=4, o23=3), {"21", "22", "23"}),
        # Equal votes: the cheaper first (Bench, then Trees), Fountain does not fit.
        (60, votes(o21=3, o22=3, o23=3), {"21", "22"}),
        # Nothing fits.
        (5, votes(o21=3, o22=2, o23=1), set()),
        # A zero-cost option always fits; one nobody chose is never funded.
        (0, votes(o21=2, o24=1), {"24"}),
        (1000, votes(o22=1), {"22"}),
        (None, votes(o21=2), set()),
    ],
)
def test_budget_funding_walk(budget, counts, funded):
    assert funded_keys(budget, PROJECTS, counts) == funded


def test_budget_funding_ties_of_votes_and_cost_follow_the_option_order():
    twins = [Opt(31, "First", 50), Opt(32, "Second", 50)]
    assert funded_keys(50, twins, votes(o31=2, o32=2)) == {"31"}
    assert funded_keys(50, twins[::-1], votes(o31=2, o32=2)) == {"32"}


def test_budget_results_show_cost_and_funded():
    q = question(budget=50)
    results = get_method("budget").results(q, PROJECTS, votes(o21=2, o23=1))["results"]
    assert [(e["key"], e["votes"], e["cost"], e["funded"]) for e in results] == [
        ("21", 2, 40, True),
        ("22", 0, 10, False),
        ("23", 1, 60, False),
        ("24", 0, 0, False),
    ]


# --------------------------------------------------------- page forms -> body


def post(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.appendlist(name.replace("_", "-"), item)
    return data


def test_approval_and_budget_forms():
    approval, budget = get_method("approval"), get_method("budget")
    data = post(q7_options=["11", "13"], q8_options="12")
    assert approval.body_from_form(data, "q7-") == {"options": ["11", "13"]}
    assert approval.body_from_form(post(), "q7-") == {"options": []}
    assert budget.body_from_form(data, "q8-") == {"options": ["12"]}
    assert budget.body_from_form(post(), "q8-") == {}


def test_ranked_form_orders_by_rank_and_reports_ties():
    ranked = get_method("ranked")
    data = post(q7_rank_11="2", q7_rank_12="", q7_rank_13="1", q7_rank_14="10", q8_rank_11="1")
    assert ranked.body_from_form(data, "q7-") == {"ranking": ["13", "11", "14"]}
    tied = post(q7_rank_11="1", q7_rank_12="1", q7_rank_13="2")
    body = ranked.body_from_form(tied, "q7-")
    assert body == {"ranking": [["11", "12"], "13"]}
    assert refused("ranked", body) == "Rank 1 is given to more than one option."
    assert ranked.body_from_form(post(q7_rank_11="", q7_rank_12="x"), "q7-") == {}


def test_score_form_skips_no_score_and_passes_odd_values_to_clean():
    score = get_method("score")
    data = post(q7_score_11="4", q7_score_12="", q7_score_13="0")
    assert score.body_from_form(data, "q7-") == {"scores": {"11": 4, "13": 0}}
    assert score.body_from_form(post(q7_score_11=""), "q7-") == {}
    body = score.body_from_form(post(q7_score_11="lots"), "q7-")
    assert "from 0 to 5" in refused("score", body)


def test_form_context_prefills_ranks_and_scores():
    ranked, score = get_method("ranked"), get_method("score")
    context = ranked.form_context(question(), OPTIONS[:3], {"ranking": [13, 11]})
    assert [(row["option"].pk, row["rank"]) for row in context["rows"]] == [
        (11, 2),
        (12, None),
        (13, 1),
    ]
    assert list(context["ranks"]) == [1, 2, 3]
    assert all(row["rank"] is None for row in ranked.form_context(question(), OPTIONS, {})["rows"])

    context = score.form_context(question(max_score=3), OPTIONS[:2], {"scores": {"12": 0}})
    assert [(row["option"].pk, row["score"]) for row in context["rows"]] == [(11, None), (12, 0)]
    assert list(context["scale"]) == [0, 1, 2, 3]
    assert score.form_context(question(), OPTIONS, None)["rows"][0]["score"] is None
