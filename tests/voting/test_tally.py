"""The richer voting methods through the ballot service, the tally (with
its per-version cache of instant-runoff rounds) and the JSON API."""

from __future__ import annotations

import pytest
from django.test import Client

from consult.models import Ballot
from consult.voting import services
from consult.voting.methods.ranked import Ranked
from consult.voting.tally import recount, stored_counts, tally_payload
from tests import factories

API = "/consult/api/v1"


@pytest.fixture
def page(db):
    options = [
        {"label": "Trees", "cost": 40},
        {"label": "Bench", "cost": 10},
        {"label": "Fountain", "cost": 60},
    ]
    return factories.make_consultation(
        questions=[
            {"title": "Approve", "method": "approval", "options": options, "max_choices": 2},
            {"title": "Rank", "method": "ranked", "options": options},
            {"title": "Score", "method": "score", "options": options, "max_score": 4},
            {"title": "Fund", "method": "budget", "options": options, "budget": 100},
        ]
    )


def question_of(page, method):
    return page.questions.select_related("page").get(method=method)


def pks(question):
    return [option.pk for option in question.options.all()]


@pytest.fixture
def voters(db):
    return [factories.make_user() for _ in range(5)]


def test_ranked_tally_has_rounds_and_winner(page, voters):
    ranked = question_of(page, "ranked")
    trees, bench, fountain = pks(ranked)
    for voter, ranking in zip(
        voters,
        [[trees], [trees, bench], [bench, fountain], [fountain, bench], [fountain, trees]],
        strict=True,
    ):
        services.cast_ballot(voter, ranked, {"ranking": ranking})

    payload = tally_payload(ranked)

    t, b, f = str(trees), str(bench), str(fountain)
    assert payload["ballots"] == 5
    assert [(e["key"], e["votes"]) for e in payload["results"]] == [(t, 2), (b, 1), (f, 2)]
    assert payload["rounds"] == [
        {"counts": {t: 2, b: 1, f: 2}, "eliminated": b, "exhausted": 0},
        {"counts": {t: 2, f: 3}, "eliminated": None, "exhausted": 0},
    ]
    assert payload["winner"] == f


def test_ranked_without_ballots_has_no_rounds_and_no_winner(page):
    payload = tally_payload(question_of(page, "ranked"))
    assert payload["rounds"] == [] and payload["winner"] is None
    assert all(entry["votes"] == 0 for entry in payload["results"])


def test_rounds_are_computed_once_per_version(page, voters, monkeypatch):
    ranked = question_of(page, "ranked")
    trees, bench, _fountain = pks(ranked)
    calls = []
    original = Ranked.ballot_results

    def counting(self, question, options, contents):
        calls.append(question.pk)
        return original(self, question, options, contents)

    monkeypatch.setattr(Ranked, "ballot_results", counting)
    services.cast_ballot(voters[0], ranked, {"ranking": [trees]})

    first = tally_payload(ranked)
    assert tally_payload(ranked) == first
    assert len(calls) == 1

    services.cast_ballot(voters[1], ranked, {"ranking": [bench]})
    second = tally_payload(ranked)
    assert len(calls) == 2
    assert second["version"] == first["version"] + 1
    assert second["rounds"][0]["counts"][str(bench)] == 1
    tally_payload(ranked)
    assert len(calls) == 2


def test_cached_rounds_follow_the_options_when_no_ballot_is_left(page, voters):
    # With every ballot withdrawn the question is editable again while its
    # version stays put: the cache must not serve the old option list.
    ranked = question_of(page, "ranked")
    services.cast_ballot(voters[0], ranked, {"ranking": [pks(ranked)[0]]})
    services.retract_ballot(voters[0], ranked)
    assert tally_payload(ranked)["rounds"] == []
    ranked.options.first().delete()
    services.cast_ballot(voters[1], ranked, {"ranking": [pks(ranked)[0]]})
    rounds = tally_payload(ranked)["rounds"]
    assert list(rounds[0]["counts"]) == [str(pk) for pk in pks(ranked)]


def test_score_and_budget_tallies_come_from_counters(page, voters):
    score, budget = question_of(page, "score"), question_of(page, "budget")
    trees, bench, fountain = pks(score)
    services.cast_ballot(voters[0], score, {"scores": {str(trees): 4, str(bench): 1}})
    services.cast_ballot(voters[1], score, {"scores": {str(trees): 3}})
    services.cast_ballot(voters[1], score, {"scores": {str(trees): 2, str(fountain): 0}})

    entries = {e["key"]: e for e in tally_payload(score)["results"]}
    assert entries[str(trees)] == {
        "key": str(trees),
        "label": "Trees",
        "votes": 2,
        "sum": 6,
        "count": 2,
        "mean": 3.0,
    }
    assert (entries[str(bench)]["mean"], entries[str(fountain)]["mean"]) == (1.0, 0.0)
    _version, _ballots, counts = stored_counts(score)
    assert counts == {str(trees): (2, 6), str(bench): (1, 1), str(fountain): (1, 0)}

    trees, bench, fountain = pks(budget)
    services.cast_ballot(voters[0], budget, {"options": [trees, fountain]})
    services.cast_ballot(voters[1], budget, {"options": [fountain, bench]})
    services.cast_ballot(voters[2], budget, {"options": [bench]})
    funded = [
        (e["label"], e["votes"], e["cost"], e["funded"]) for e in tally_payload(budget)["results"]
    ]
    # Bench and Fountain have 2 votes; Bench is cheaper, then Fountain (70 of
    # 100); Trees (40) no longer fits.
    assert funded == [
        ("Trees", 1, 40, False),
        ("Bench", 2, 10, True),
        ("Fountain", 2, 60, True),
    ]
    assert (stored_counts(budget)[1:]) == recount(budget)


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "body", "detail"),
    [
        ("approval", lambda ids: {"options": ids[:1] * 2}, "appears more than once"),
        ("approval", lambda ids: {"options": ids}, "Choose at most 2 options."),
        ("ranked", lambda ids: {"ranking": "first"}, "“ranking” must be a list of option ids."),
        ("ranked", lambda ids: {"ranking": []}, "Rank at least one option."),
        ("score", lambda ids: {"scores": {"x": 1}}, "numeric id"),
        ("score", lambda ids: {"scores": {str(ids[0]): 5}}, "from 0 to 4"),
        ("budget", lambda ids: {"options": "all"}, "“options” must be a list of option ids."),
    ],
)
def test_api_refuses_bad_ballots_with_a_detail(page, method, body, detail):
    client = Client()
    client.force_login(factories.make_user())
    question = question_of(page, method)

    response = post_json(client, f"{API}/questions/{question.pk}/ballot/", body(pks(question)))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ballot"
    assert detail in response.json()["detail"]
    assert not Ballot.objects.exists()


def test_api_over_budget_and_tally_with_rounds(page):
    client = Client()
    client.force_login(factories.make_user())
    budget, ranked = question_of(page, "budget"), question_of(page, "ranked")

    over = post_json(client, f"{API}/questions/{budget.pk}/ballot/", {"options": pks(budget)})
    assert over.status_code == 400
    assert over.json()["detail"] == "Your choices cost 110 in all, more than the budget of 100."

    cast = post_json(
        client, f"{API}/questions/{ranked.pk}/ballot/", {"ranking": [str(pks(ranked)[1])]}
    )
    assert cast.status_code == 201
    tally = client.get(f"{API}/questions/{ranked.pk}/tally/").json()
    assert set(tally) == {"question", "method", "version", "ballots", "results", "rounds", "winner"}
    assert tally["winner"] == str(pks(ranked)[1])
