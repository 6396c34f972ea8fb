"""eID over OpenID Connect, end to end: allauth's ``openid_connect`` provider
against a local OpenID provider (``oidc-provider-mock``) on a free port; its
claims (``acr``, ``birthdate``) feed the ``identity_provider`` and
``minimum_age`` rules."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from consult.eligibility import services
from tests.eligibility_helpers import page_with

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider():
    users = [
        oidc_provider_mock.User(
            sub="resident-1",
            claims={
                "email": "resident@example.org",
                "acr": "substantial",
                "birthdate": "1990-05-01",
            },
        ),
        oidc_provider_mock.User(
            sub="weak-1",
            claims={"email": "weak@example.org", "acr": "low", "birthdate": "2015-05-01"},
        ),
    ]
    with oidc_provider_mock.run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def eid_settings(settings, provider):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "eid",
                    "name": "City eID",
                    "client_id": "consult-tests",
                    "secret": "not-a-secret",  # noqa: S105
                    "settings": {"server_url": provider, "scope": ["openid", "email", "profile"]},
                }
            ]
        }
    }
    settings.SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
    settings.SOCIALACCOUNT_AUTO_SIGNUP = True
    settings.SOCIALACCOUNT_LOGIN_ON_GET = True
    return settings


def sign_in(client: Client, subject: str) -> None:
    """The browser's part: start at the site, pick ``subject`` at the provider, come back."""
    start = client.get("/accounts/oidc/eid/login/")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    answer = httpx.post(authorize, data={"sub": subject}, follow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    callback = urlsplit(answer.headers["location"])
    assert parse_qs(callback.query)["code"]
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302, done.content


def test_eid_login_meets_the_identity_provider_and_age_rules(eid_settings):
    page = page_with(
        (
            "identity_provider",
            {"provider": "eid", "claims": [{"claim": "acr", "value": "substantial"}]},
        ),
        ("minimum_age", {"years": 16}),
    )
    client = Client()
    sign_in(client, "resident-1")
    document = client.get(f"/consult/api/v1/consultations/{page.pk}/eligibility/").json()
    assert document["eligible"] is True, document


def test_a_lower_assurance_level_and_a_child_are_refused(eid_settings):
    page = page_with(
        (
            "identity_provider",
            {"provider": "eid", "claims": [{"claim": "acr", "value": "substantial"}]},
        ),
        ("minimum_age", {"years": 16}),
    )
    client = Client()
    sign_in(client, "weak-1")
    document = client.get(f"/consult/api/v1/consultations/{page.pk}/eligibility/").json()
    assert document["eligible"] is False
    assert {item["rule"] for item in document["unmet"]} == {"identity_provider", "minimum_age"}
    identity = next(item for item in document["unmet"] if item["rule"] == "identity_provider")
    assert identity["action_url"] == "/accounts/oidc/eid/login/"
    assert services.summary(page)[0]["rule"] == "identity_provider"
