"""A resident with a letter, in a real browser with JavaScript off: the
consultation page says who may take part, the QR link opens the code sign-in
with the code filled in, and after signing in the ballot form is there.
Every page passes axe without serious violations, at 320 px too."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_live_vote import (
    BROWSER_MARKS,
    browser_session,
    live_asgi_server,  # noqa: F401  (fixture)
    serious_violations,
)

pytestmark = BROWSER_MARKS


def test_a_letter_code_signs_in_and_the_ballot_form_appears(live_asgi_server):  # noqa: F811
    from consult.eligibility import codes
    from tests.eligibility_helpers import page_with

    consultation = page_with(("voting_code", {}), title="Park of the future")
    code = codes.generate(consultation, 1).codes[0]
    url = live_asgi_server.url + consultation.get_url()
    login_url = f"{live_asgi_server.url}/consult/consultations/{consultation.pk}/code/"

    with browser_session() as open_tab:
        # axe runs scripts in the page: the checks need a tab with JavaScript.
        checked = open_tab().page
        checked.set_viewport_size({"width": 320, "height": 700})
        for address in (url, f"{login_url}?code={code}"):
            checked.goto(address)
            assert serious_violations(checked) == [], address

        page = open_tab(javascript=False).page
        page.set_viewport_size({"width": 320, "height": 700})
        page.goto(url)
        expect(page.locator(".consult-eligibility")).to_contain_text(
            "Holders of a voting code sent by letter"
        )
        page.goto(f"{login_url}?code={code}")
        expect(page.locator("#voting-code")).to_have_value(code)
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(url)
        expect(page.locator("form.consult-ballot")).to_be_visible()
