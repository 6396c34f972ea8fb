"""An editor in the real Wagtail admin (Chromium, Playwright, uvicorn in a
thread as in ``test_live_vote``): creates a consultation with two questions,
publishes it, then reads its results dashboard after people voted.

It also takes the screenshots the README's "For editors" section shows
(``docs/screenshots/``): the editor form, the consultations listing and the
results dashboard.

Skipped, with a message saying how to enable it, when Chromium is missing.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_live_vote import (  # noqa: F401  (live_asgi_server is a fixture)
    BROWSER_MARKS,
    TIMEOUT_MS,
    browser_session,
    live_asgi_server,
)

pytestmark = BROWSER_MARKS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pw-for-tests"
ADMIN_DT = "%Y-%m-%d %H:%M"


def sign_in_to_admin(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form [type=submit]").first.click()
    expect(page).to_have_url(f"{base}/admin/", timeout=TIMEOUT_MS)


def add_inline(page: Page, prefix: str) -> None:
    """Click an inline panel's "Add" button (``id_<prefix>-ADD``)."""
    page.locator(f"#id_{prefix}-ADD").click()


def serious_violations_in(page: Page, selector: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=selector)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def editor_scene(request, settings):
    # Wagtail 8 autosaves the form in the background while the editor types.
    # The tests' in-memory SQLite (one shared cache for the server's threads)
    # refuses two concurrent writers with "table is locked" instead of
    # waiting, so an autosave racing the Publish click would fail the run.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    server = request.getfixturevalue("live_asgi_server")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from tests import factories

    index = factories.make_index(title="Consultations", slug="consultations")
    editor = get_user_model().objects.create_superuser(
        "editor", "editor@example.org", PASSWORD, first_name="Eda", last_name="Editor"
    )
    editor.user_permissions.add(Permission.objects.get(codename="view_results"))
    return {"server": server, "index_id": index.pk}


def test_editor_creates_publishes_and_reads_results(editor_scene):
    from django.utils import timezone

    base = editor_scene["server"].url
    now = timezone.localtime()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in_to_admin(page, base, "editor")
        page.goto(f"{base}/admin/pages/add/consult/consultationpage/{editor_scene['index_id']}/")

        page.locator("#id_title").fill("Market square")
        page.locator("#id_voting_open_at").fill((now - timedelta(hours=1)).strftime(ADMIN_DT))
        page.locator("#id_voting_close_at").fill((now + timedelta(days=14)).strftime(ADMIN_DT))

        add_inline(page, "questions")
        page.locator("#id_questions-0-title").fill("Should the square be car-free?")
        page.locator("#id_questions-0-method").select_option("yes_no")

        add_inline(page, "questions")
        page.locator("#id_questions-1-title").fill("Which design do you prefer?")
        page.locator("#id_questions-1-method").select_option("single")
        for n, label in enumerate(["Green square", "Market hall", "Open plaza"]):
            add_inline(page, "questions-1-options")
            page.locator(f"#id_questions-1-options-{n}-label").fill(label)

        page.set_viewport_size({"width": 1280, "height": 1500})
        page.locator("#id_questions-0-title").evaluate(
            "(el) => el.scrollIntoView({block: 'start'})"
        )
        page.screenshot(path=str(SCREENSHOTS / "editor-form.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

        # Publish: Wagtail's action menu ("Save draft" with a "Publish" choice).
        page.locator("[data-w-dropdown-target='toggle']").filter(
            has=page.locator("svg")
        ).last.click()
        page.get_by_role("button", name="Publish").click()
        expect(page.locator(".messages")).to_contain_text("published", timeout=TIMEOUT_MS)
        assert not tab.errors, tab.report()

    from consult.models import ConsultationPage
    from consult.voting import services
    from tests import factories

    consultation = ConsultationPage.objects.get(title="Market square")
    assert consultation.live
    questions = list(consultation.questions.order_by("sort_order"))
    assert [(q.title, q.method) for q in questions] == [
        ("Should the square be car-free?", "yes_no"),
        ("Which design do you prefer?", "single"),
    ]
    assert [o.label for o in questions[1].options.order_by("sort_order")] == [
        "Green square",
        "Market hall",
        "Open plaza",
    ]
    options = list(questions[1].options.order_by("sort_order"))
    for n in range(9):
        voter = factories.make_user()
        services.cast_ballot(voter, questions[0], {"choice": ["yes", "yes", "no"][n % 3]})
        services.cast_ballot(voter, questions[1], {"option": options[min(n % 4, 2)].pk})

    with browser_session() as open_tab:
        tab = open_tab()
        page = tab.page
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in_to_admin(page, base, "editor")

        page.goto(f"{base}/admin/consult/consultations/")
        row = page.locator("tr", has_text="Market square")
        expect(row).to_contain_text("Voting open")
        expect(row).to_contain_text("9")
        page.screenshot(path=str(SCREENSHOTS / "consultations-listing.png"))

        row.get_by_role("link", name="Results").click()
        expect(page.locator("h1")).to_contain_text("Results")
        yes = page.locator("tr[data-key='yes'] [data-votes]").first
        expect(yes).to_have_text("6")
        expect(page.get_by_role("link", name="CSV").first).to_be_visible()
        # The admin scrolls inside its layout: a tall window shows the whole dashboard.
        page.set_viewport_size({"width": 1280, "height": 1900})
        page.screenshot(path=str(SCREENSHOTS / "results-dashboard.png"))
        violations = serious_violations_in(page, ".consult-dash")
        assert not violations, "axe-core on the results dashboard:\n" + "\n".join(violations)

        with page.expect_download() as download:
            page.locator("a[href$='/export/ballots.csv']").click()
        csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert len(csv_text.strip().splitlines()) == 1 + 18
        assert not tab.errors, tab.report()


def test_consultation_blocks_render_accessibly(live_asgi_server):  # noqa: F811
    """Every block editors can add, on a live consultation page: axe-core
    finds no serious or critical violation."""
    from consult.models import Category, Proposal
    from tests import factories

    page = factories.make_consultation(
        title="Market square",
        questions=[
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]}
        ],
    )
    question = factories.first_question(page)
    category = Category.objects.create(name="Mobility", slug="mobility")
    Proposal.objects.create(
        page=page, title="Bike lanes", body="Safer routes.", status="published", category=category
    )
    page.body = [
        ("heading", {"text": "What happens now", "level": "h2"}),
        ("call_to_action", {"consultation": None, "text": "Have your say."}),
        ("phase_timeline", {"heading": "Steps", "consultation": None}),
        ("live_results", {"question": question, "heading": "Live results"}),
        (
            "proposals",
            {
                "heading": "Ideas",
                "consultation": None,
                "status": "published",
                "category": "",
                "count": 5,
                "ordering": "newest",
            },
        ),
        (
            "key_facts",
            {
                "heading": "Key facts",
                "facts": [{"label": "Budget", "value": "€2m"}],
                "documents": [],
            },
        ),
    ]
    page.save_revision().publish()
    url = live_asgi_server.url + page.url

    with browser_session() as open_tab:
        tab = open_tab()
        response = tab.page.goto(url)
        assert response is not None and response.status == 200, tab.report()
        expect(tab.page.locator("[data-consult-cta='vote']")).to_be_visible()
        expect(tab.page.locator(".consult-timeline [aria-current='step']")).to_contain_text(
            "Voting"
        )
        tab.page.set_viewport_size({"width": 1000, "height": 2200})
        tab.page.screenshot(path=str(SCREENSHOTS / "blocks-on-page.png"))
        violations = serious_violations_in(tab.page, ".consult")
        assert not violations, "axe-core on the blocks:\n" + "\n".join(violations)
        assert not tab.problems(), tab.report()
