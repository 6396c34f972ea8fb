"""Every voting method on the consultation page with JavaScript off: the
ballot form, its plain POST, the pre-filled public ballot and the results
tables with each method's extras."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from consult.models import Ballot
from consult.voting import services
from tests import factories


@pytest.fixture
def page(db):
    options = [
        {"label": "Trees", "cost": 40, "description": "Forty new street trees."},
        {"label": "Bench", "cost": 10},
        {"label": "Fountain", "cost": 60},
    ]
    return factories.make_consultation(
        ballot_secrecy="public",
        questions=[
            {"title": "Approve", "method": "approval", "options": options, "max_choices": 2},
            {"title": "Rank", "method": "ranked", "options": options},
            {"title": "Score", "method": "score", "options": options, "max_score": 3},
            {"title": "Fund", "method": "budget", "options": options, "budget": 100},
        ],
    )


@pytest.fixture
def voter(db):
    return factories.make_user()


@pytest.fixture
def browser(voter):
    client = Client()
    client.force_login(voter)
    return client


def question_of(page, method):
    return page.questions.get(method=method)


def ids(question):
    return [option.pk for option in question.options.all()]


def vote(browser, question, fields):
    data = {f"q{question.pk}-{name}": value for name, value in fields.items()}
    response = browser.post(f"/consult/questions/{question.pk}/vote/", data, follow=True)
    return response.content.decode()


class Structure(HTMLParser):
    """Ids, label targets, controls and the form's state, as a browser sees them."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.referenced: list[str] = []
        self.controls: list[dict] = []
        self.state: dict[str, list[str]] = {}  # name -> checked / selected values
        self._select: tuple[str, list[str], list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids += [attrs["id"]] if "id" in attrs else []
        for key in ("aria-describedby", "aria-labelledby"):
            self.referenced += (attrs.get(key) or "").split()
        if tag == "label" and "for" in attrs:
            self.label_for.append(attrs["for"])
        if tag in ("input", "select"):
            self.controls.append(attrs)
        if tag == "input" and "checked" in attrs:
            self.state.setdefault(attrs["name"], []).append(attrs["value"])
        if tag == "select":
            self._select = (attrs["name"], [], [])
        if tag == "option" and self._select:
            _name, values, chosen = self._select
            values.append(attrs["value"])
            chosen += [attrs["value"]] if "selected" in attrs else []

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            name, values, chosen = self._select
            self.state[name] = chosen or values[:1]  # no "selected": the first option shows
            self._select = None

    def named(self, name: str) -> list[dict]:
        return [attrs for attrs in self.controls if attrs.get("name") == name]


def structure(html: str) -> Structure:
    parsed = Structure()
    parsed.feed(html)
    return parsed


def test_every_ballot_form_renders_labelled_controls(page, browser):
    html = browser.get(page.url).content.decode()
    parsed = structure(html)

    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    assert set(parsed.label_for) <= set(parsed.ids)
    assert set(parsed.referenced) <= set(parsed.ids)

    approval, ranked, score, budget = (
        question_of(page, m) for m in ("approval", "ranked", "score", "budget")
    )
    named = parsed.named
    assert [a["type"] for a in named(f"q{approval.pk}-options")] == ["checkbox"] * 3
    assert "From 1 to 2 options." in html
    for pk in ids(ranked):
        assert len(named(f"q{ranked.pk}-rank-{pk}")) == 1
    assert html.count(">Not ranked</option>") == 3
    for pk in ids(score):
        radios = named(f"q{score.pk}-score-{pk}")
        assert [a["value"] for a in radios] == ["", "0", "1", "2", "3"]
        assert "checked" in radios[0]  # "No score" until the voter scores it
    assert "0 is the lowest score and 3 the highest." in html
    boxes = named(f"q{budget.pk}-options")
    assert [a["data-cost"] for a in boxes] == ["40", "10", "60"]
    assert "Cost: 40" in html and "Their costs may add up to 100 at most." in html


@pytest.mark.parametrize(
    ("method", "fields", "content"),
    [
        ("approval", lambda p: {"options": [p[0], p[2]]}, lambda p: {"options": [p[0], p[2]]}),
        (
            "ranked",
            lambda p: {f"rank-{p[0]}": "2", f"rank-{p[1]}": "", f"rank-{p[2]}": "1"},
            lambda p: {"ranking": [p[2], p[0]]},
        ),
        (
            "score",
            lambda p: {f"score-{p[0]}": "3", f"score-{p[1]}": "", f"score-{p[2]}": "0"},
            lambda p: {"scores": {str(p[0]): 3, str(p[2]): 0}},
        ),
        ("budget", lambda p: {"options": [p[0], p[1]]}, lambda p: {"options": [p[0], p[1]]}),
    ],
)
def test_plain_form_vote_is_stored_and_prefilled(page, browser, method, fields, content):
    question = question_of(page, method)
    pks = ids(question)

    html = vote(browser, question, fields(pks))

    assert "Thank you, your vote has been counted." in html
    assert Ballot.objects.get(question=question).content == content(pks)
    # The public ballot comes back pre-filled: the form shows what was posted.
    posted = {
        f"q{question.pk}-{name}": [str(v) for v in (value if isinstance(value, list) else [value])]
        for name, value in fields(pks).items()
    }
    state = structure(html).state
    assert {name: state.get(name) for name in posted} == posted


@pytest.mark.parametrize(
    ("method", "fields", "message"),
    [
        (
            "ranked",
            lambda p: {f"rank-{p[0]}": "1", f"rank-{p[1]}": "1"},
            "Rank 1 is given to more than one option.",
        ),
        ("ranked", lambda p: {f"rank-{p[0]}": ""}, "Please make a choice before you vote."),
        (
            "score",
            lambda p: {f"score-{p[0]}": "9"},
            "The score for “Trees” must be a whole number from 0 to 3.",
        ),
        ("score", lambda p: {f"score-{p[0]}": ""}, "Please make a choice before you vote."),
        (
            "budget",
            lambda p: {"options": p},
            "Your choices cost 110 in all, more than the budget of 100.",
        ),
        ("budget", lambda p: {}, "Please make a choice before you vote."),
        ("approval", lambda p: {"options": p}, "Choose at most 2 options."),
        ("approval", lambda p: {}, "Choose at least 1 option."),
    ],
)
def test_plain_form_errors_explain_and_save_nothing(page, browser, method, fields, message):
    question = question_of(page, method)
    html = vote(browser, question, fields(ids(question)))
    assert message in html
    assert not Ballot.objects.exists()


def test_results_tables_show_each_methods_extras(page, browser, voter):
    others = [factories.make_user() for _ in range(2)]
    score, budget, ranked = (question_of(page, m) for m in ("score", "budget", "ranked"))
    trees, bench, fountain = ids(score)
    services.cast_ballot(voter, score, {"scores": {str(trees): 3, str(bench): 1}})
    services.cast_ballot(others[0], score, {"scores": {str(trees): 2}})
    trees, bench, fountain = ids(budget)
    services.cast_ballot(voter, budget, {"options": [trees, bench]})
    services.cast_ballot(others[0], budget, {"options": [fountain, bench]})
    trees, bench, fountain = ids(ranked)
    for who, ranking in zip([voter, *others], [[trees], [bench, trees], [fountain]], strict=True):
        services.cast_ballot(who, ranked, {"ranking": ranking})

    html = browser.get(page.url).content.decode()
    sections = {
        m: html.split(f'id="question-{question_of(page, m).pk}"')[1].split("</article>")[0]
        for m in ("score", "budget", "ranked")
    }

    score_html = sections["score"]
    for header in ("Average score", "Total score", "Ballots scoring it"):
        assert f'<th scope="col">{header}</th>' in score_html
    assert "<span data-mean>2.50</span>" in score_html
    assert "<span data-mean>no scores</span>" in score_html
    assert 'data-max-score="3"' in score_html

    budget_html = sections["budget"]
    assert '<th scope="col">Funded</th>' in budget_html
    assert budget_html.count("<span data-funded>Funded</span>") == 2  # Bench, then Trees (40 + 10)
    assert budget_html.count("<span data-funded>Not funded</span>") == 1  # Fountain: 60 > 50 left

    ranked_html = sections["ranked"]
    assert '<th scope="col">First preferences</th>' in ranked_html
    assert (
        '<th scope="col">Round 1</th>' in ranked_html
        and '<th scope="col">Round 2</th>' in ranked_html
    )
    assert "Winner: <strong>Trees</strong>" in ranked_html
    assert "<em>eliminated</em>" in ranked_html and "<strong>wins</strong>" in ranked_html
    assert "out of the count" in ranked_html  # the eliminated option in round 2
    assert structure(ranked_html).referenced  # the scrollable rounds region is labelled


def test_ranked_results_before_any_ballot(page, client):
    html = client.get(page.url).content.decode()
    assert "No winner yet." in html
    assert 'class="consult-scroll" role="region" tabindex="0"' in html
