"""The spine of the product in a real browser.

A real ASGI server (uvicorn, in a thread of this pytest process) serves the
test project over HTTP and websockets; Debian's Chromium, driven by
Playwright, plays an anonymous viewer and a citizen:

- the citizen signs in through the real allauth form and votes with
  JavaScript on; the viewer's results table follows over the websocket
  without a reload, and the page passes axe-core (no serious or critical
  violation);
- with JavaScript off a citizen votes by a plain form POST and the page
  the server renders after the redirect shows the message and the new tally.

Skipped, with a message saying how to enable it, when Chromium is missing.
"""

from __future__ import annotations

import faulthandler
import os
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")

#: Every browser test's marks: skipped with a hint when Chromium is missing.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Debian's chromium: apt-get install chromium (as .ci/run does)",
    ),
    pytest.mark.django_db(transaction=True),
]
pytestmark = BROWSER_MARKS

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# page.evaluate (hence axe) has no timeout of its own: past this many seconds
# a browser session dumps every thread's stack and ends the run instead of
# hanging CI.
SESSION_WATCHDOG_S = 120
PASSWORD = "pw-for-tests"
COUNTED = "Thank you, your vote has been counted."
RECEIPT = re.compile(r"^([a-z2-7]{4}-){7}[a-z2-7]{4}$")

# Counts the page's websocket openings and frames, so the test can wait for
# "connected and snapshot applied" instead of sleeping. The app's own
# listeners are added after ours, in the same task, so when ``frames`` has
# moved the app has already handled the frame.
WEBSOCKET_PROBE = """
(() => {
  const Native = window.WebSocket;
  const probe = { opened: 0, frames: 0 };
  window.__consultProbe = probe;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { probe.opened += 1; });
      this.addEventListener("message", () => { probe.frames += 1; });
    }
  };
})();
"""


# --------------------------------------------------------------------------
# The server: tests.asgi.application under uvicorn, static files included.


@dataclass
class LiveServer:
    url: str
    port: int


def _asgi_app():
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from tests.asgi import application

    # Serves /static/ from the finders (works with DEBUG off) and passes
    # everything else, websockets included, to the project's router.
    return ASGIStaticFilesHandler(application)


@pytest.fixture
def live_asgi_server(transactional_db) -> Iterator[LiveServer]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _asgi_app(),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-browser-tests", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start for the browser tests")
            time.sleep(0.01)
        yield LiveServer(url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


# --------------------------------------------------------------------------
# The browser. Playwright's sync API keeps an event loop "running" in this
# thread while it is started; Django then refuses ORM calls here and, worse,
# hands out connection objects of their own (asgiref's thread-critical Local
# switches to per-context storage). So each test creates its data first, runs
# the browser inside ``browser_session()`` and checks the database after it.


@dataclass
class Tab:
    """A page plus everything it reported, for assertion messages."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)
    frames: list[str] = field(default_factory=list)
    navigations: int = 0

    def problems(self) -> list[str]:
        """Script errors and console errors (a missing favicon aside)."""
        console = [
            line
            for line in self.console
            if line.startswith("error:") and "/favicon.ico" not in line
        ]
        return self.errors + console

    def report(self) -> str:
        return (
            f"\n  page errors: {self.errors}"
            f"\n  console: {self.console}"
            f"\n  failed requests: {self.failed}"
            f"\n  websocket frames: {self.frames}"
        )


def _new_tab(browser: Browser, *, javascript: bool = True) -> Tab:
    """A page in a fresh context (own cookies), recording what it reports."""
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page)

    def console(message) -> None:
        tab.console.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def websocket(ws) -> None:
        ws.on("framereceived", lambda data: tab.frames.append(str(data)))

    def navigated(frame) -> None:
        if frame == page.main_frame:
            tab.navigations += 1

    page.on("console", console)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.on("requestfailed", lambda r: tab.failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: tab.responses.__setitem__(r.url, r.status))
    page.on("websocket", websocket)
    page.on("framenavigated", navigated)
    if javascript:
        page.add_init_script(WEBSOCKET_PROBE)
    return tab


@contextmanager
def browser_session() -> Iterator[Callable[..., Tab]]:
    """Yield ``open_tab(javascript=True)``; always closes Chromium and Playwright."""
    faulthandler.dump_traceback_later(SESSION_WATCHDOG_S, exit=True, file=sys.__stderr__)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield partial(_new_tab, browser)
            finally:
                browser.close()  # closes every context and its websockets
    finally:
        faulthandler.cancel_dump_traceback_later()


# --------------------------------------------------------------------------
# Data.


@dataclass
class Scene:
    server: LiveServer
    url: str
    path: str
    email: str
    yes_no_id: int
    single_id: int
    hall_id: int


@pytest.fixture
def scene(live_asgi_server) -> Scene:
    from tests import factories

    consultation = factories.make_consultation(
        title="Market square",
        results_visibility="live",
        questions=[
            {"title": "Car-free square?", "method": "yes_no"},
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]},
        ],
    )
    path = consultation.get_url()
    assert path and path.startswith("/"), (
        f"the consultation has no URL on the default site: {path!r}"
    )
    single = consultation.questions.get(method="single")
    return Scene(
        server=live_asgi_server,
        url=live_asgi_server.url + path,
        path=path,
        email=factories.make_user().email,
        yes_no_id=consultation.questions.get(method="yes_no").pk,
        single_id=single.pk,
        hall_id=single.options.get(label="Hall").pk,
    )


def sign_in(tab: Tab, scene: Scene) -> None:
    """Through the real allauth form (login by email), back to the consultation."""
    page = tab.page
    page.goto(f"{scene.server.url}/accounts/login/?next={quote(scene.path)}")
    page.locator("input[name=login]").fill(scene.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").click()
    expect(page).to_have_url(scene.url, timeout=TIMEOUT_MS)
    assert not tab.problems(), tab.report()


def wait_for_live_results(tab: Tab) -> None:
    """Until the websocket is open and the snapshots (one per question) applied."""
    tab.page.wait_for_function(
        "() => window.__consultProbe && window.__consultProbe.opened >= 1"
        " && window.__consultProbe.frames >= 2",
        timeout=TIMEOUT_MS,
    )


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


# --------------------------------------------------------------------------
# Tests.


def test_vote_reaches_a_live_viewer_without_reload(scene):
    from consult.models import Ballot, Participation

    q = scene.yes_no_id
    with browser_session() as open_tab:
        # A: an anonymous viewer, connected to the live results.
        viewer = open_tab()
        a = viewer.page
        response = a.goto(scene.url)
        assert response is not None and response.status == 200, viewer.report()
        script = f"{scene.server.url}/static/consult/consult.js"
        assert viewer.responses.get(script) == 200, (
            f"consult.js did not load: {viewer.responses}" + viewer.report()
        )
        wait_for_live_results(viewer)
        viewer_yes = a.locator(f"#question-{q} tr[data-key='yes'] [data-votes]")
        viewer_ballots = a.locator(f"#question-{q} [data-ballots]")
        expect(viewer_yes).to_have_text("0")
        expect(viewer_ballots).to_have_text("0")
        a.evaluate("() => { window.__consultNotReloaded = true; }")
        navigations = viewer.navigations

        # B: the citizen signs in through allauth and votes with JavaScript on.
        citizen = open_tab()
        b = citizen.page
        sign_in(citizen, scene)
        wait_for_live_results(citizen)
        question = b.locator(f"#question-{q}")
        question.get_by_role("radio", name="Yes", exact=True).check()
        question.get_by_role("button", name="Vote", exact=True).click()
        expect(b.locator("[data-consult-announcer]")).to_have_text(COUNTED, timeout=TIMEOUT_MS)
        assert b.url == scene.url, "the ballot was not cast through the API" + citizen.report()
        # The answer's receipt is shown at once, in groups of four.
        expect(question.locator("[data-consult-receipt]")).to_be_visible()
        expect(question.locator("[data-consult-receipt-code]")).to_have_text(RECEIPT)

        # A follows over the websocket, without a reload.
        expect(viewer_yes).to_have_text("1", timeout=TIMEOUT_MS)
        expect(viewer_ballots).to_have_text("1", timeout=TIMEOUT_MS)
        expect(a.locator(f"#question-{q} tr[data-key='no'] [data-votes]")).to_have_text("0")
        assert a.evaluate("() => window.__consultNotReloaded === true"), "the viewer reloaded"
        assert viewer.navigations == navigations, "the viewer page navigated"
        assert not viewer.problems() and not citizen.problems(), viewer.report() + citizen.report()

        violations = serious_violations(a)
        assert not violations, "axe-core: serious or critical violations on the live page:\n" + (
            "\n".join(violations)
        )

    assert Participation.objects.filter(question_id=q).count() == 1
    assert Ballot.objects.filter(question_id=q).count() == 1
    assert Ballot.objects.get(question_id=q).content == {"choice": "yes"}
    assert not Participation.objects.filter(question_id=scene.single_id).exists()
    assert not Ballot.objects.filter(question_id=scene.single_id).exists()


def test_vote_with_javascript_off_by_plain_post(scene):
    from consult.models import Ballot, Participation

    q, hall = scene.single_id, scene.hall_id
    with browser_session() as open_tab:
        tab = open_tab(javascript=False)
        page = tab.page
        sign_in(tab, scene)
        question = page.locator(f"#question-{q}")
        expect(question.locator(f"tr[data-key='{hall}'] [data-votes]")).to_have_text("0")
        question.get_by_role("radio", name="Hall", exact=True).check()
        with page.expect_navigation(timeout=TIMEOUT_MS) as navigation:
            question.get_by_role("button", name="Vote", exact=True).click()
        assert navigation.value is not None and navigation.value.status == 200, tab.report()
        assert page.url == f"{scene.url}#question-{q}", page.url

        # Rendered again by the server: the message and the tally with the vote.
        question = page.locator(f"#question-{q}")
        expect(page.locator(".consult-messages")).to_contain_text(COUNTED)
        expect(question.locator(f"tr[data-key='{hall}'] [data-votes]")).to_have_text("1")
        expect(question.locator("[data-ballots]")).to_have_text("1")
        # The ballot is secret by default: the form says "you have voted"
        # without showing the choice.
        expect(question.locator("[data-consult-voted]")).to_be_visible()
        expect(question.get_by_role("button", name="Change my vote", exact=True)).to_be_visible()
        expect(question.locator("[data-consult-receipt-code]")).to_have_text(RECEIPT)
        assert not tab.problems(), tab.report()

        # axe needs JavaScript (in a page without it axe.run never settles):
        # check the HTML this page got from the server, in a JS-enabled tab.
        html = page.content()
        checker = open_tab()
        checker.page.route(
            scene.url,
            lambda route: route.fulfill(status=200, content_type="text/html", body=html),
        )
        checker.page.goto(scene.url)
        expect(checker.page.locator(".consult-messages")).to_contain_text(COUNTED)
        violations = serious_violations(checker.page)
        assert not violations, "axe-core: serious or critical violations after a plain vote:\n" + (
            "\n".join(violations)
        )

    assert Participation.objects.filter(question_id=q).count() == 1
    assert Ballot.objects.filter(question_id=q).count() == 1
    assert Ballot.objects.get(question_id=q).content == {"option": hall}
