"""The approval, ranked, budget and score ballots in a real browser, with JavaScript:
keyboard-operable move buttons, the running budget total, submission through
the API, a live viewer's richer tables, and axe-core on the page.

Uses the server and browser helpers of ``tests/browser/test_live_vote.py``;
skipped like it when Chromium is missing.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    COUNTED,
    PASSWORD,
    browser_session,
    live_asgi_server,  # noqa: F401  (fixture)
    serious_violations,
)

pytestmark = BROWSER_MARKS


def move_up(label: str) -> re.Pattern:
    # Chromium may put a space before the visually hidden ": <label>" part.
    return re.compile(rf"^Move up\s*: {label}$")


@pytest.fixture
def scene(live_asgi_server):  # noqa: F811
    from consult.voting import services
    from tests import factories

    options = [
        {"label": "Trees", "cost": 40},
        {"label": "Bench", "cost": 10},
        {"label": "Fountain", "cost": 60},
    ]
    page = factories.make_consultation(
        questions=[
            {
                "title": "Approve projects",
                "method": "approval",
                "options": options,
                "max_choices": 2,
            },
            {"title": "Rank the projects", "method": "ranked", "options": options},
            {"title": "Fund the projects", "method": "budget", "options": options, "budget": 100},
            {"title": "Score the projects", "method": "score", "options": options, "max_score": 3},
        ]
    )
    questions = {q.method: q for q in page.questions.select_related("page")}
    # Two earlier ranked ballots, so the citizen's makes a three-way tie.
    ranked = questions["ranked"]
    trees, bench, fountain = (o.pk for o in ranked.options.all())
    for ranking in ([bench], [fountain, bench]):
        services.cast_ballot(factories.make_user(), ranked, {"ranking": ranking})
    return {
        "base": live_asgi_server.url,
        "path": page.get_url(),
        "email": factories.make_user().email,
        "ids": {
            method: {o.label: o.pk for o in q.options.all()} for method, q in questions.items()
        },
        "questions": {method: q.pk for method, q in questions.items()},
    }


def test_richer_ballots_with_javascript(scene):
    from consult.models import Ballot

    q = scene["questions"]
    url = scene["base"] + scene["path"]
    with browser_session() as open_tab:
        viewer = open_tab()
        viewer.page.goto(url)
        viewer.page.wait_for_function(
            "() => window.__consultProbe && window.__consultProbe.frames >= 4"
        )

        citizen = open_tab()
        page = citizen.page
        page.goto(f"{scene['base']}/accounts/login/?next={quote(scene['path'])}")
        page.locator("input[name=login]").fill(scene["email"])
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:has(input[name=login]) [type=submit]").click()
        expect(page).to_have_url(url)
        announcer = page.locator("[data-consult-announcer]")

        # Ranked, by keyboard: "Move up" ranks an option, then moves it up.
        ranked = page.locator(f"#question-{q['ranked']}")
        up = ranked.get_by_role("button", name=move_up("Fountain"))
        up.focus()
        page.keyboard.press("Enter")
        expect(announcer).to_have_text("Fountain: rank 1.")
        ranked.get_by_role("button", name=move_up("Trees")).press("Enter")
        expect(announcer).to_have_text("Trees: rank 2.")
        ranked.get_by_role("button", name=move_up("Trees")).press("Enter")
        expect(announcer).to_have_text("Trees: rank 1.")
        expect(ranked.get_by_role("button", name=move_up("Trees"))).to_be_focused()
        expect(ranked.get_by_role("button", name=move_up("Trees"))).to_have_attribute(
            "aria-disabled", "true"
        )
        expect(ranked.locator("label")).to_have_text(["Trees", "Fountain", "Bench"])
        expect(ranked.get_by_label("Fountain")).to_have_value("2")
        expect(ranked.get_by_label("Bench")).to_have_value("")
        # Choosing a rank in a <select> moves the option there.
        ranked.get_by_label("Bench").select_option("1")
        expect(ranked.locator("label")).to_have_text(["Bench", "Trees", "Fountain"])
        ranked.get_by_label("Bench").select_option("")
        expect(ranked.locator("label")).to_have_text(["Trees", "Fountain", "Bench"])
        ranked.get_by_role("button", name="Vote", exact=True).click()
        expect(announcer).to_have_text(COUNTED)

        # Budget: the running total, and the server's refusal when over.
        budget = page.locator(f"#question-{q['budget']}")
        total = budget.locator("output")
        expect(total).to_have_text("Chosen: 0 of 100. Left: 100.")
        budget.get_by_label("Trees").check()
        budget.get_by_label("Fountain").check()
        expect(total).to_have_text("Chosen: 100 of 100. Left: 0.")
        budget.get_by_label("Bench").check()
        expect(total).to_have_text("Chosen: 110, that is 10 over the budget of 100.")
        budget.get_by_role("button", name="Vote", exact=True).click()
        expect(budget.locator("[data-consult-error]")).to_have_text(
            "Your choices cost 110 in all, more than the budget of 100."
        )
        budget.get_by_label("Bench").uncheck()
        budget.get_by_role("button", name="Vote", exact=True).click()
        expect(announcer).to_have_text(COUNTED)

        approval = page.locator(f"#question-{q['approval']}")
        for label in ("Trees", "Bench", "Fountain"):
            approval.get_by_label(label).check()
        approval.get_by_role("button", name="Vote", exact=True).click()
        expect(approval.locator("[data-consult-error]")).to_have_text("Choose at most 2 options.")
        approval.get_by_label("Trees").uncheck()
        approval.get_by_role("button", name="Vote", exact=True).click()
        expect(announcer).to_have_text(COUNTED)

        score = page.locator(f"#question-{q['score']}")
        score.get_by_role("group", name="Trees").get_by_label("2", exact=True).check()
        score.get_by_role("button", name="Vote", exact=True).click()
        expect(announcer).to_have_text(COUNTED)
        assert page.url == url, "a ballot was not cast through the API"

        # The viewer's tables follow over the websocket.
        v = viewer.page
        # Round 1: one first preference each; the tie-break eliminates the
        # option listed last (Fountain), whose ballot goes to Bench.
        expect(v.locator(f"#question-{q['ranked']} [data-consult-winner]")).to_have_text(
            "Winner: Bench"
        )
        rounds = v.locator(f"#question-{q['ranked']} .consult-rounds")
        expect(rounds.locator("thead th")).to_have_text(["Choice", "Round 1", "Round 2"])
        expect(rounds.locator("tbody tr")).to_have_text(
            [
                "Trees11",
                "Bench12 wins",
                "Fountain1 eliminated–out of the count",
                "Exhausted ballots00",
            ]
        )
        expect(v.locator(f"#question-{q['approval']} [data-votes]")).to_have_text(["0", "1", "1"])
        funded = v.locator(f"#question-{q['budget']} [data-funded]")
        expect(funded).to_have_text(["Funded", "Not funded", "Funded"])
        expect(v.locator(f"#question-{q['score']} [data-mean]")).to_have_text(
            ["2.00", "no scores", "no scores"]
        )
        # The over-budget ballot's 400 is expected; nothing else may go wrong.
        problems = viewer.problems() + [
            line for line in citizen.problems() if "status of 400" not in line
        ]
        assert not problems, viewer.report() + citizen.report()
        violations = serious_violations(page)
        assert not violations, "axe-core: serious or critical violations:\n" + "\n".join(violations)

    def contents(method):
        return list(Ballot.objects.filter(question_id=q[method]).values_list("content", flat=True))

    ids = scene["ids"]
    assert {"ranking": [ids["ranked"]["Trees"], ids["ranked"]["Fountain"]]} in contents("ranked")
    assert contents("budget") == [{"options": [ids["budget"]["Trees"], ids["budget"]["Fountain"]]}]
    assert contents("approval") == [
        {"options": [ids["approval"]["Bench"], ids["approval"]["Fountain"]]}
    ]
    assert contents("score") == [{"scores": {str(ids["score"]["Trees"]): 2}}]
