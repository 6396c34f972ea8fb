"""The spine of the product in a real browser.

A real ASGI server (uvicorn, in a thread of this pytest process) serves the
test project over HTTP and websockets; Debian's Chromium, driven by
Playwright, plays an anonymous viewer and a citizen:

- the citizen signs in through the real allauth form and votes with
  JavaScript on; the viewer's results table follows over the websocket
  without a reload, and the page passes axe-core (no serious or critical
  violation);
- with JavaScript off the same citizen votes by a plain form POST and the
  reloaded page shows the message and the new tally.

Skipped, with a message saying how to enable it, when Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Debian's chromium: apt-get install chromium (as .ci/run does)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

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
PASSWORD = "pw-for-tests"
COUNTED = "Thank you, your vote has been counted."

# Counts the page's websocket openings and frames, so the test can wait for
# "connected and snapshot applied" instead of sleeping. The app's own
# listeners are added after ours, in the same task, so when ``frames`` has
# moved the app has already handled the frame.
WEBSOCKET_PROBE = """
(() => {
  const Native = window.WebSocket;
  const probe = { opened: 0, frames: 0, closed: 0 };
  window.__consultProbe = probe;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { probe.opened += 1; });
      this.addEventListener("message", () => { probe.frames += 1; });
      this.addEventListener("close", () => { probe.closed += 1; });
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
# The browser: one Chromium for the module, fresh contexts per test.


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which
    # makes Django refuse ORM calls from the test body without this.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@dataclass
class Tab:
    """A page plus everything it reported, for assertion messages."""

    page: object
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)
    frames: list[str] = field(default_factory=list)
    navigations: int = 0

    def report(self) -> str:
        return (
            f"\n  page errors: {self.errors}"
            f"\n  console: {self.console}"
            f"\n  failed requests: {self.failed}"
            f"\n  websocket frames: {self.frames}"
        )


@pytest.fixture
def open_tab(chromium) -> Iterator:
    contexts = []

    def open_tab(*, javascript: bool = True) -> Tab:
        context = chromium.new_context(java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page=page)
        page.on("console", lambda m: tab.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: tab.errors.append(str(e)))
        page.on("requestfailed", lambda r: tab.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: tab.responses.__setitem__(r.url, r.status))
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: tab.frames.append(str(payload))),
        )

        def navigated(frame):
            if frame == page.main_frame:
                tab.navigations += 1

        page.on("framenavigated", navigated)
        if javascript:
            page.add_init_script(WEBSOCKET_PROBE)
        return tab

    try:
        yield open_tab
    finally:
        for context in contexts:
            context.close()


# --------------------------------------------------------------------------
# Data.


@pytest.fixture
def scene(live_asgi_server):
    from wagtail.models import Site

    from tests import factories
    from wagtail.models import Page
    from django.db import connection
    print("DBG", Site.objects.count(), Page.objects.count(), connection.settings_dict["NAME"], hasattr(connection, "_test_serialized_contents"))

    consultation = factories.make_consultation(
        title="Market square",
        results_visibility="live",
        questions=[
            {"title": "Car-free square?", "method": "yes_no"},
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]},
        ],
    )
    # Let the default site serve the consultation index, so page URLs resolve.
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = "127.0.0.1"
    site.port = live_asgi_server.port
    site.root_page = consultation.get_parent()
    site.site_name = "Test City"
    site.save()
    Site.objects.exclude(pk=site.pk).delete()
    consultation.refresh_from_db()
    path = consultation.get_url()
    assert path and path.startswith("/"), f"consultation has no URL: {path!r}"
    return {
        "server": live_asgi_server,
        "consultation": consultation,
        "url": live_asgi_server.url + path,
        "path": path,
        "yes_no": consultation.questions.get(method="yes_no"),
        "single": consultation.questions.get(method="single"),
        "citizen": factories.make_user(),
    }


def sign_in(tab: Tab, server: LiveServer, email: str, next_path: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{server.url}/accounts/login/?next={quote(next_path)}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=login]) [type=submit]").click()
    expect(page).to_have_url(server.url + next_path, timeout=TIMEOUT_MS)
    assert not tab.errors, tab.report()


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


# --------------------------------------------------------------------------
# Tests.


def test_vote_reaches_a_live_viewer_without_reload(scene, open_tab):
    from playwright.sync_api import expect

    from consult.models import Ballot, Participation

    server, url, path = scene["server"], scene["url"], scene["path"]
    yes_no, single = scene["yes_no"], scene["single"]

    # A: an anonymous viewer, connected to the live results.
    viewer = open_tab()
    a = viewer.page
    response = a.goto(url)
    assert response is not None and response.status == 200, viewer.report()
    script = f"{server.url}/static/consult/consult.js"
    assert viewer.responses.get(script) == 200, (
        f"consult.js did not load: {viewer.responses}" + viewer.report()
    )
    # Connected, and one snapshot per question applied.
    a.wait_for_function(
        "() => window.__consultProbe && window.__consultProbe.frames >= 2", timeout=TIMEOUT_MS
    )
    viewer_row = a.locator(f"#question-{yes_no.pk} tr[data-key='yes'] [data-votes]")
    viewer_ballots = a.locator(f"#question-{yes_no.pk} [data-ballots]")
    expect(viewer_row).to_have_text("0")
    expect(viewer_ballots).to_have_text("0")
    a.evaluate("() => { window.__consultNotReloaded = true; }")
    navigations_before = viewer.navigations

    # B: the citizen signs in through allauth and votes with JavaScript on.
    citizen_tab = open_tab()
    b = citizen_tab.page
    sign_in(citizen_tab, server, scene["citizen"].email, path)
    b.wait_for_function(
        "() => window.__consultProbe && window.__consultProbe.frames >= 2", timeout=TIMEOUT_MS
    )
    question_b = b.locator(f"#question-{yes_no.pk}")
    question_b.get_by_role("radio", name="Yes", exact=True).check()
    question_b.get_by_role("button", name="Vote", exact=True).click()
    expect(b.locator("[data-consult-announcer]")).to_have_text(COUNTED, timeout=TIMEOUT_MS)
    assert b.url == url, "the vote was not submitted through the API" + citizen_tab.report()

    # A follows over the websocket, without a reload.
    expect(viewer_row).to_have_text("1", timeout=TIMEOUT_MS)
    expect(viewer_ballots).to_have_text("1", timeout=TIMEOUT_MS)
    expect(a.locator(f"#question-{yes_no.pk} tr[data-key='no'] [data-votes]")).to_have_text("0")
    assert a.evaluate("() => window.__consultNotReloaded === true"), "the viewer page reloaded"
    assert viewer.navigations == navigations_before, "the viewer page navigated"

    assert Participation.objects.filter(question=yes_no).count() == 1
    assert Ballot.objects.filter(question=yes_no).count() == 1
    assert Ballot.objects.get(question=yes_no).content == {"choice": "yes"}
    assert Participation.objects.filter(question=single).count() == 0
    assert Ballot.objects.filter(question=single).count() == 0

    assert not viewer.errors and not citizen_tab.errors, viewer.report() + citizen_tab.report()

    violations = serious_violations(a)
    assert not violations, "axe-core: serious/critical violations on the consultation page:\n" + (
        "\n".join(violations)
    )


def test_vote_with_javascript_off_by_plain_post(scene, open_tab):
    from playwright.sync_api import expect

    from consult.models import Ballot, Participation

    server, url, path = scene["server"], scene["url"], scene["path"]
    single = scene["single"]
    hall = single.options.get(label="Hall")

    tab = open_tab(javascript=False)
    page = tab.page
    sign_in(tab, server, scene["citizen"].email, path)
    question = page.locator(f"#question-{single.pk}")
    expect(question.locator(f"tr[data-key='{hall.pk}'] [data-votes]")).to_have_text("0")
    question.get_by_role("radio", name="Hall", exact=True).check()
    with page.expect_navigation(timeout=TIMEOUT_MS) as navigation:
        question.get_by_role("button", name="Vote", exact=True).click()
    assert navigation.value is not None and navigation.value.status == 200, tab.report()
    assert page.url == f"{url}#question-{single.pk}", page.url

    # Reloaded from the server: the message and the tally with the new vote.
    question = page.locator(f"#question-{single.pk}")
    expect(page.locator(".consult-messages")).to_contain_text(COUNTED)
    expect(question.locator(f"tr[data-key='{hall.pk}'] [data-votes]")).to_have_text("1")
    expect(question.locator("[data-ballots]")).to_have_text("1")
    expect(question.get_by_role("radio", name="Hall", exact=True)).to_be_checked()

    assert Participation.objects.filter(question=single).count() == 1
    assert Ballot.objects.filter(question=single).count() == 1
    assert Ballot.objects.get(question=single).content == {"option": hall.pk}
    assert not tab.errors, tab.report()
