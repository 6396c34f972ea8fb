"""What a citizen meets, in a real browser: the page following a phase
change live, one websocket per page, a refused ballot's error next to its
question with JavaScript off, no sideways scrolling on a phone, the account
pages, and axe-core finding no violation of any impact on any of them.

Uses the server and browser helpers of ``test_live_vote``; data is made
before the browser starts (see there why).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    PASSWORD,
    TIMEOUT_MS,
    browser_session,
    live_asgi_server,  # noqa: F401  (fixture)
)

pytestmark = BROWSER_MARKS

#: Where the screenshots the docs show are written, when asked for
#: (CONSULT_SCREENSHOTS=1): a test run leaves the committed ones alone.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def violations(page: Page) -> list[str]:
    """axe-core's violations of any impact (minor ones too)."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in results.response["violations"]
    ]


#: The elements reaching past the right edge of the screen, for the message.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
  .map((e) => `${e.tagName}.${e.className}`).slice(0, 10)"""


def screenshot(page: Page, name: str) -> None:
    import os

    if os.environ.get("CONSULT_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, email: str, path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base}{path}", timeout=TIMEOUT_MS)


def test_page_follows_the_close_of_voting_without_reload(live_asgi_server):  # noqa: F811
    from django.utils import timezone

    from consult.voting import services
    from tests import factories

    closes_in = timedelta(seconds=10)
    consultation = factories.make_consultation(
        title="Square",
        results_visibility="live",
        voting_open_at=timezone.now() - timedelta(hours=1),
        voting_close_at=timezone.now() + closes_in,
        questions=[
            {"title": "Car-free?", "method": "yes_no"},
            {"title": "Rank", "method": "ranked", "options": ["Trees", "Bench"]},
        ],
    )
    ranked = consultation.questions.get(method="ranked")
    trees = ranked.options.get(label="Trees").pk
    services.cast_ballot(factories.make_user(), ranked, {"ranking": [trees]})
    url = live_asgi_server.url + consultation.get_url()

    with browser_session() as open_tab:
        viewer = open_tab()
        page = viewer.page
        page.goto(url)
        page.wait_for_function("() => window.__consultProbe && window.__consultProbe.opened >= 1")
        # One socket for the page, though results and comments both listen.
        assert page.evaluate("() => window.__consultProbe.opened") == 1
        page.evaluate("() => { window.__consultNotReloaded = true; }")
        status = page.locator("[data-consult-status]")
        expect(status).to_have_text("Voting open")
        expect(page.get_by_role("link", name="Sign in to vote").first).to_be_visible()
        expect(page.locator("[data-consult-winner]")).to_contain_text("Leading so far:")

        wait = closes_in.total_seconds() * 1000 + TIMEOUT_MS
        expect(status).to_have_text("Closed", timeout=wait)
        expect(page.get_by_role("link", name="Sign in to vote")).to_have_count(0)
        expect(page.locator("[data-consult-winner]")).to_have_text("Winner: Trees")
        expect(page.locator("[data-consult-announcer]")).to_have_text(
            "Voting has closed. The results are published."
        )
        assert page.evaluate("() => window.__consultNotReloaded === true"), viewer.report()
        assert page.evaluate("() => window.__consultProbe.opened") == 1, viewer.report()
        assert violations(page) == [], viewer.report()
        assert not viewer.problems(), viewer.report()


@pytest.fixture
def budget_scene(live_asgi_server):  # noqa: F811
    from consult.voting import services
    from tests import factories

    voter = factories.make_user(email="a.very.long.address.of.a.citizen@example-city.example.org")
    consultation = factories.make_consultation(
        title="Participatory budget",
        results_visibility="live",
        ballot_secrecy="public",
        questions=[
            {
                "title": "Which projects?",
                "method": "approval",
                "max_choices": 2,
                "options": ["Trees", "Bench", "Fountain"],
            },
            {
                "title": "Fund the projects",
                "method": "budget",
                "budget": 100000,
                "options": [
                    {"label": "New trees along the river", "cost": 60000},
                    {"label": "Benches", "cost": 10000},
                    {"label": "A drinking fountain", "cost": 40000},
                ],
            },
        ],
    )
    budget = consultation.questions.get(method="budget")
    services.cast_ballot(
        factories.make_user(), budget, {"options": [o.pk for o in budget.options.all()[:2]]}
    )
    approval = consultation.questions.get(method="approval")
    return live_asgi_server, consultation.get_url(), voter.email, approval.pk


def test_phone_widths_never_scroll_sideways(budget_scene):
    server, path, email, _approval = budget_scene
    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        sign_in(page, server.url, email, path)
        for width in (320, 390):
            page.set_viewport_size({"width": width, "height": 800})
            for where in (path, "/accounts/email/", "/accounts/password/change/"):
                page.goto(server.url + where)
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                wide = page.evaluate(WIDER_THAN_SCREEN)
                assert overflow <= 0, (
                    f"{where} at {width}px scrolls sideways by {overflow}px: {wide}"
                )
            page.goto(server.url + path)
            # The header wraps: "Sign out" stays on screen beside a long address.
            box = page.get_by_role("button", name="Sign out").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
            # The budget table scrolls inside its own box, "Funded" included.
            funded = page.get_by_role("columnheader", name="Funded")
            funded.scroll_into_view_if_needed()
            expect(funded).to_be_in_viewport()
            screenshot(page, f"phone-{width}")
        assert not tab.problems(), tab.report()


def test_refused_ballot_without_javascript_shows_its_error_next_to_its_question(budget_scene):
    server, path, email, approval = budget_scene
    with browser_session() as open_tab:
        tab = open_tab(javascript=False)
        page = tab.page
        sign_in(page, server.url, email, path)
        question = page.locator(f"#question-{approval}")
        for label in ("Trees", "Bench", "Fountain"):
            question.get_by_label(label).check()
        question.get_by_role("button", name="Vote", exact=True).click()
        expect(page).to_have_url(re.compile(rf"#question-{approval}$"))
        question = page.locator(f"#question-{approval}")
        expect(question.locator("[data-consult-feedback]")).to_have_text(
            "Choose at most 2 options."
        )
        expect(page.locator(".consult-messages")).to_have_count(0)
        # The choices are kept, so the voter fixes one rather than starting over.
        for label in ("Trees", "Bench", "Fountain"):
            expect(question.get_by_label(label)).to_be_checked()
        question.get_by_label("Fountain").uncheck()
        question.get_by_role("button", name="Vote", exact=True).click()
        question = page.locator(f"#question-{approval}")
        expect(question.locator("[data-consult-feedback]")).to_have_text(
            "Thank you, your vote has been counted."
        )
        # A public ballot: the page shows it back.
        expect(question.locator(".consult-own-ballot li")).to_have_text(["Trees", "Bench"])
        # Withdrawing asks first, with JavaScript off too.
        withdraw = question.locator("[data-consult-retract] summary")
        withdraw.click()
        question.get_by_role("button", name="Yes, withdraw my vote").click()
        expect(page.locator(f"#question-{approval} [data-consult-feedback]")).to_have_text(
            "Your vote has been withdrawn."
        )


def test_account_pages_have_no_axe_violation(live_asgi_server):  # noqa: F811
    from tests import factories

    email = factories.make_user().email
    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        for where in (
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/accounts/confirm-email/",
        ):
            page.goto(live_asgi_server.url + where)
            expect(page.locator("main h1")).to_have_count(1)
            assert violations(page) == [], f"{where}: {tab.report()}"
        screenshot(page, "account-sign-up")
        page.goto(f"{live_asgi_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign In").click()
        expect(page.locator(".consult-error")).to_be_visible()
        assert violations(page) == [], tab.report()
        screenshot(page, "account-sign-in-error")
        sign_in(page, live_asgi_server.url, email, "/accounts/email/")
        for where in ("/accounts/email/", "/accounts/password/change/", "/accounts/logout/"):
            page.goto(live_asgi_server.url + where)
            assert violations(page) == [], f"{where}: {tab.report()}"
        assert not tab.problems(), tab.report()


def test_arabic_pages_read_right_to_left(budget_scene):
    server, path, _email, _approval = budget_scene
    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        page.context.add_cookies([{"name": "django_language", "value": "ar", "url": server.url}])
        for where in (path, "/accounts/login/"):
            page.goto(server.url + where)
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            expect(page.locator("html")).to_have_attribute("lang", "ar")
            expect(page.locator(".skip-link")).to_have_text("انتقل إلى المحتوى")
            assert violations(page) == [], f"{where}: {tab.report()}"
        page.goto(server.url + path)
        expect(page.locator("[data-consult-status]")).to_have_text("التصويت مفتوح")
        # Mirrored: the question's start edge is on the right.
        main = page.locator("main").bounding_box()
        badge = page.locator("[data-consult-status]").bounding_box()
        assert main and badge
        assert badge["x"] > main["x"] + main["width"] / 2, (badge, main)
        page.set_viewport_size({"width": 320, "height": 800})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, page.evaluate(WIDER_THAN_SCREEN)
        screenshot(page, "arabic-phone")
        assert not tab.problems(), tab.report()


def test_every_method_votes_with_the_keyboard_alone(live_asgi_server):  # noqa: F811
    """Tab, Space, arrows and Enter only: each of the six methods casts a
    ballot, and the confirmation next to its question takes the focus."""
    from tests import factories

    options = ["Trees", "Bench", "Fountain"]
    consultation = factories.make_consultation(
        ballot_secrecy="public",
        questions=[
            {"title": "Car-free?", "method": "yes_no"},
            {"title": "One", "method": "single", "options": options},
            {"title": "Some", "method": "approval", "options": options, "max_choices": 2},
            {"title": "Rank", "method": "ranked", "options": options},
            {"title": "Score", "method": "score", "options": options, "max_score": 3},
            {
                "title": "Fund",
                "method": "budget",
                "budget": 100,
                "options": [{"label": label, "cost": 30} for label in options],
            },
        ],
    )
    email = factories.make_user().email
    path = consultation.get_url()
    questions = {q.method: q.pk for q in consultation.questions.all()}

    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        sign_in(page, live_asgi_server.url, email, path)
        keyboard = page.keyboard

        def vote(method: str, keys: list[str]) -> None:
            article = page.locator(f"#question-{questions[method]}")
            # Into the question's form from its heading, as Tab would go.
            article.locator("h3").evaluate("(h) => { h.tabIndex = -1; h.focus(); }")
            for key in keys:
                keyboard.press(key)
            feedback = article.locator("[data-consult-feedback]")
            expect(feedback).to_have_text("Thank you, your vote has been counted.")
            expect(feedback).to_be_focused()

        # Radio groups: Tab into the group, arrows move and choose.
        vote("yes_no", ["Tab", "ArrowDown", "Tab", "Enter"])
        vote("single", ["Tab", "ArrowDown", "Tab", "Enter"])
        # Check boxes: Space ticks, Tab moves on.
        vote("approval", ["Tab", "Space", "Tab", "Space", "Tab", "Tab", "Enter"])
        # Ranked: the first option's "Move up" ranks it; then vote.
        vote("ranked", ["Tab", "Tab", "Enter", *["Tab"] * 8, "Enter"])
        # Score: the first option's scale is a radio group.
        vote("score", ["Tab", "ArrowRight", "ArrowRight", *["Tab"] * 3, "Enter"])
        vote("budget", ["Tab", "Space", "Tab", "Space", "Tab", "Tab", "Enter"])
        expect(
            page.locator(f"#question-{questions['single']} .consult-own-ballot li")
        ).to_have_text(["Bench"])
        assert not tab.problems(), tab.report()
