"""A proposal through pre-moderation, in a real browser.

The test serves ``tests.asgi.application`` with uvicorn in a thread; Debian's
Chromium, driven by Playwright, plays three people:

- a citizen signs in through allauth and submits a proposal on a
  pre-moderated consultation (a plain form POST);
- an anonymous visitor does not see it yet;
- a moderator signs in to the Wagtail admin, ticks the proposal in the
  "Consultations → Proposals" queue, chooses the bulk action "Approve",
  writes a note and confirms;
- the anonymous visitor now sees the proposal in the list and on its page.

Skipped, with a message saying how to enable it, when Chromium is missing.
"""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    SESSION_WATCHDOG_S,
    TIMEOUT_MS,
    live_asgi_server,  # noqa: F401  (fixture)
    serious_violations,
)

pytestmark = BROWSER_MARKS

TITLE = "A drinking fountain on the market square"


@dataclass
class Scene:
    base: str
    page_path: str
    citizen_email: str
    moderator_username: str


@pytest.fixture
def live_server_url(live_asgi_server) -> str:  # noqa: F811  (fixture)
    return live_asgi_server.url


@pytest.fixture
def scene(live_server_url) -> Scene:
    # Data first: Django refuses ORM calls while Playwright's loop runs here.
    from tests import factories

    page = factories.make_proposal_consultation(moderation="pre", title="Market square")
    citizen = factories.make_user(first_name="Clara")
    moderator = factories.make_moderator()
    path = page.get_url()
    assert path and path.startswith("/"), path
    return Scene(
        base=live_server_url,
        page_path=path,
        citizen_email=citizen.email,
        moderator_username=moderator.get_username(),
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    faulthandler.dump_traceback_later(SESSION_WATCHDOG_S, exit=True, file=sys.__stderr__)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        faulthandler.cancel_dump_traceback_later()


def new_page(browser: Browser, errors: list[str]) -> Page:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_citizen_proposal_is_approved_by_a_moderator(scene):
    from consult.models import Proposal

    proposals_url = f"{scene.base}{scene.page_path}proposals/"
    errors: list[str] = []
    with chromium() as browser:
        # The citizen signs in and submits a proposal.
        citizen = new_page(browser, errors)
        new_url = f"{scene.page_path}proposals/new/"
        citizen.goto(f"{scene.base}/accounts/login/?next={quote(new_url)}")
        citizen.locator("input[name=login]").fill(scene.citizen_email)
        citizen.locator("input[name=password]").fill(PASSWORD)
        citizen.locator("form:has(input[name=login]) [type=submit]").click()
        expect(citizen).to_have_url(f"{scene.base}{new_url}")
        citizen.get_by_label("Title").fill(TITLE)
        citizen.get_by_label("Your proposal").fill("Cool water for everyone.\n\nNear the bus stop.")
        citizen.get_by_role("button", name="Submit my proposal").click()
        expect(citizen.locator(".consult-messages")).to_contain_text(
            "once a moderator has checked it"
        )
        expect(citizen.get_by_role("heading", level=1)).to_have_text(TITLE)

        # Nobody else sees it yet.
        visitor = new_page(browser, errors)
        visitor.goto(proposals_url)
        expect(visitor.get_by_text("No proposals yet.")).to_be_visible()

        # The moderator approves it from the queue with a note.
        moderator = new_page(browser, errors)
        moderator.goto(f"{scene.base}/admin/login/")
        moderator.locator("input[name=username]").fill(scene.moderator_username)
        moderator.locator("input[name=password]").fill(PASSWORD)
        moderator.locator("form [type=submit]").first.click()
        expect(moderator).to_have_url(f"{scene.base}/admin/")
        moderator.goto(f"{scene.base}/admin/consult/proposals/?status=pending")
        row = moderator.locator("tr", has_text=TITLE)
        expect(row).to_be_visible()
        row.locator("input[data-bulk-action-checkbox]").check()
        approve = moderator.get_by_role("link", name="Approve the selected items")
        expect(approve).to_be_visible()
        approve.click()
        moderator.get_by_label("Moderator's note").fill("Welcome, and thank you.")
        moderator.get_by_role("button", name="Yes, Approve").click()
        expect(moderator.locator(".messages")).to_contain_text("1 item: Approved.")

        # Now the visitor sees it.
        visitor.goto(proposals_url)
        link = visitor.get_by_role("link", name=TITLE)
        expect(link).to_be_visible()
        link.click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(visitor.get_by_text("Near the bus stop.")).to_be_visible()
        assert not [e for e in errors if "favicon" not in e], errors

    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == "published"
    assert proposal.moderator_note == "Welcome, and thank you."


@pytest.fixture
def discussion(live_server_url):
    from tests import factories

    page = factories.make_proposal_consultation(moderation="post", title="Park")
    proposal = factories.make_proposal(page, title="Benches", body="More benches.", supports=1)
    first = factories.make_comment(page, body="The first comment")
    reader, writer = factories.make_user(), factories.make_user(first_name="Wanda")
    return {
        "base": live_server_url,
        "path": page.get_url(),
        "proposal": proposal.pk,
        "first": first.pk,
        "reader": reader.email,
        "writer": writer.email,
    }


def sign_in(page: Page, base: str, email: str, path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={quote(path)}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").click()
    expect(page).to_have_url(f"{base}{path}")


def test_new_comment_arrives_live_without_losing_the_readers_text(discussion):
    base, path = discussion["base"], discussion["path"]
    errors: list[str] = []
    with chromium() as browser:
        reader = new_page(browser, errors)
        reader.add_init_script(
            "(() => { const N = window.WebSocket; window.__opened = 0;"
            " window.WebSocket = class extends N { constructor(...a) { super(...a);"
            " this.addEventListener('open', () => { window.__opened += 1; }); } }; })();"
        )
        sign_in(reader, base, discussion["reader"], path)
        reader.wait_for_function("() => window.__opened >= 1")
        # The reader starts a reply to the first comment and keeps the focus there.
        first = reader.locator(f"#comment-{discussion['first']}")
        first.locator("summary", has_text="Reply").click()
        draft = first.get_by_label("Your reply")
        draft.fill("I was just writing this")
        draft.focus()

        writer = new_page(browser, errors)
        sign_in(writer, base, discussion["writer"], path)
        writer.locator("#comment-new-body").fill("A brand new comment")
        writer.get_by_role("button", name="Post comment").click()
        expect(writer.locator(".consult-messages")).to_contain_text("Your comment is published.")

        # It appears for the reader without a reload; the draft and focus stay.
        arrived = reader.locator(".consult-threads > li", has_text="A brand new comment")
        expect(arrived).to_be_visible()
        expect(arrived.locator(".consult-comment__author")).to_have_text("Wanda")
        expect(reader.locator("[data-comments-announcer]")).to_have_text(
            "A new comment has been added.", timeout=TIMEOUT_MS
        )
        expect(draft).to_have_value("I was just writing this")
        assert reader.evaluate("() => document.activeElement.name") == "body"
        expect(reader.locator("[data-comment-count]")).to_have_text("2")
        # The live comment can be answered like the others.
        arrived.locator("summary", has_text="Reply").click()
        expect(arrived.get_by_label("Your reply")).to_be_visible()

        violations = serious_violations(reader)
        assert not violations, "\n".join(violations)
        for url in (
            f"{base}{path}proposals/",
            f"{base}{path}proposals/{discussion['proposal']}/",
            f"{base}{path}proposals/new/",
        ):
            reader.goto(url)
            violations = serious_violations(reader)
            assert not violations, url + "\n" + "\n".join(violations)
        assert not [e for e in errors if "favicon" not in e], errors
