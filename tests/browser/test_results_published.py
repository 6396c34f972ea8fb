"""Results published at the close of voting, in a real browser.

An anonymous viewer has a consultation open whose results stay hidden until
voting closes: the page shows the turnout only. At the closing time, with no
reload and no ballot cast, the results table appears with the counts, the
turnout line goes, and the polite live region says so.

Skipped, with a message saying how to enable it, when Chromium is missing.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    TIMEOUT_MS,
    browser_session,
    live_asgi_server,  # noqa: F401  (fixture)
    serious_violations,
    wait_for_live_results,
)

pytestmark = BROWSER_MARKS

PUBLISHED = "Voting has closed. The results are published."
#: Long enough for Chromium to start and load the page before the close.
CLOSES_IN = timedelta(seconds=8)


def test_results_appear_at_the_close_without_reload(live_asgi_server):  # noqa: F811
    from django.utils import timezone

    from consult.voting import services
    from tests import factories

    consultation = factories.make_consultation(
        title="Referendum",
        results_visibility="after_close",
        voting_open_at=timezone.now() - timedelta(hours=1),
        voting_close_at=timezone.now() + CLOSES_IN,
        questions=[{"title": "Car-free square?", "method": "yes_no"}],
    )
    question = consultation.questions.get()
    for choice in ("yes", "yes", "no"):
        services.cast_ballot(factories.make_user(), question, {"choice": choice})
    url = live_asgi_server.url + consultation.get_url()

    with browser_session() as open_tab:
        viewer = open_tab()
        page = viewer.page
        page.goto(url)
        wait_for_live_results(viewer, questions=1)
        article = page.locator(f"#question-{question.pk}")
        table = article.locator("[data-consult-tally]")
        turnout = article.locator("[data-consult-turnout]")
        expect(table).to_be_hidden()
        expect(turnout).to_be_visible()
        expect(turnout.locator("[data-ballots]")).to_have_text("3")
        assert serious_violations(page) == [], viewer.report()
        page.evaluate("() => { window.__consultNotReloaded = true; }")

        expect(table).to_be_visible(timeout=CLOSES_IN.total_seconds() * 1000 + TIMEOUT_MS)

        expect(table.locator("tr[data-key='yes'] [data-votes]")).to_have_text("2")
        expect(table.locator("tr[data-key='no'] [data-votes]")).to_have_text("1")
        expect(table.locator("[data-ballots]")).to_have_text("3")
        expect(turnout).to_be_hidden()
        expect(page.locator("[data-consult-announcer]")).to_have_text(PUBLISHED)
        assert page.evaluate("() => window.__consultNotReloaded === true"), viewer.report()
        assert serious_violations(page) == [], viewer.report()
        assert not viewer.problems(), viewer.report()
