"""allauth's pages inside the site: the site's layout (``lang``, a <main>,
the skip link), labelled fields, and the page a citizen came from kept
through sign-up and e-mail verification."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from tests import factories


def test_sign_in_page_uses_the_site_layout(db):
    html = Client().get("/accounts/login/?next=/somewhere/").content.decode()
    assert '<html lang="en"' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1
    assert 'class="consult-form consult-account-form"' in html
    # Every visible field has its label, including the ones allauth leaves unlabelled.
    for field_id in re.findall(r'<input[^>]+type="(?:email|password|text)"[^>]+id="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert 'name="next" value="/somewhere/"' in html


def test_account_pages_are_translated(db):
    html = Client(headers={"accept-language": "de"}).get("/accounts/signup/").content.decode()
    assert '<html lang="de"' in html
    assert "Registrieren" in html  # allauth's own catalog


def test_the_page_a_citizen_came_from_survives_sign_up_and_verification(db):
    consultation = factories.make_consultation()
    target = consultation.url
    client = Client()
    response = client.post(
        f"/accounts/signup/?next={target}",
        {
            "email": "new@example.org",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
            "next": target,
        },
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == target
    assert client.get(target).wsgi_request.user.is_authenticated
