"""Following a consultation and reading notifications, in a real browser.

A citizen signs in, follows a consultation with the button (JavaScript on:
the API is called and the button flips without a reload), unfollows and
follows again with JavaScript off (plain form POST and redirect), is told
when voting opens, sees the unread count in the header and opens the
notifications page. axe finds no serious violation on either page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    live_asgi_server,  # noqa: F401  (fixture)
    serious_violations,
)
from tests.browser.test_moderation_flow import chromium, new_page, sign_in

pytestmark = BROWSER_MARKS


@pytest.fixture
def scene(live_asgi_server):  # noqa: F811  (fixture)
    from tests import factories

    now = timezone.now()
    page = factories.make_consultation(
        title="Harbour",
        voting_open_at=now + timedelta(minutes=5),
        voting_close_at=now + timedelta(days=7),
    )
    citizen = factories.make_user(first_name="Fatima")
    return {
        "base": live_asgi_server.url,
        "path": page.get_url(),
        "page": page.pk,
        "email": citizen.email,
    }


def test_follow_with_and_without_javascript_then_read_notifications(scene):
    from consult.models import ConsultationPage, Follow
    from consult.notifications import schedule

    base, path = scene["base"], scene["path"]
    errors: list[str] = []
    with chromium() as browser:
        citizen = new_page(browser, errors)
        sign_in(citizen, base, scene["email"], path)
        follow = citizen.get_by_role("button", name="Follow this consultation")
        follow.click()
        # With JavaScript: no reload, the button flips and the change is announced.
        expect(citizen.get_by_role("button", name="Stop following")).to_be_visible()
        expect(citizen.locator("[data-consult-follow-status]")).to_have_text(
            "You follow this now. We will tell you what happens."
        )
        assert citizen.url == f"{base}{path}"
        assert serious_violations(citizen) == []

        # Without JavaScript the same form posts and redirects back.
        plain = browser.new_context(java_script_enabled=False)
        no_js = plain.new_page()
        sign_in(no_js, base, scene["email"], path)
        no_js.get_by_role("button", name="Stop following").click()
        expect(no_js.locator(".consult-messages")).to_contain_text("You no longer follow this.")
        no_js.get_by_role("button", name="Follow this consultation").click()
        expect(no_js.locator(".consult-messages")).to_contain_text("You follow this now.")
        plain.close()

    assert Follow.objects.filter(page_id=scene["page"]).count() == 1
    page = ConsultationPage.objects.get(pk=scene["page"])
    schedule.run(page.voting_open_at + timedelta(minutes=1))

    with chromium() as browser:
        citizen = new_page(browser, errors)
        sign_in(citizen, base, scene["email"], path)
        link = citizen.get_by_role("link", name="Notifications (1 unread)")
        expect(link).to_be_visible()
        link.click()
        expect(citizen.get_by_role("link", name="Voting has opened: Harbour")).to_be_visible()
        assert serious_violations(citizen) == []
        citizen.get_by_role("button", name="Mark all as read").click()
        expect(citizen.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert not [e for e in errors if "favicon" not in e], errors
