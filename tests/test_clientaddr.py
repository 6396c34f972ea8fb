"""One trusted-proxy count for every use of the client's address: a forged
X-Forwarded-For lifts no limit."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.checks import run_checks

from consult.clientaddr import client_ip, forwarded_address, scope_client_address
from tests import factories
from tests.asgi import application

API = "/consult/api/v1"
ORIGIN = [(b"origin", b"http://testserver")]


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),
        (0, "6.6.6.6, 203.0.113.5", "10.0.0.9"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.9"),
        (1, None, "10.0.0.9"),
    ],
)
def test_only_the_hops_of_trusted_proxies_are_believed(settings, count, header, expected):
    settings.CONSULT = {"TRUSTED_PROXY_COUNT": count}
    assert forwarded_address("10.0.0.9", header) == expected


def test_scopes_and_requests_agree(settings, rf):
    settings.CONSULT = {"TRUSTED_PROXY_COUNT": 1}
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    scope = {
        "client": ["10.0.0.9", 4000],
        "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.5")],
    }
    assert client_ip(request) == scope_client_address(scope) == "203.0.113.5"


@pytest.mark.django_db
def test_a_forged_header_lifts_no_write_limit(settings, client, consultation):
    # Many accounts from one address, each changing its forged X-Forwarded-For:
    # the per-address limit still holds them.
    settings.CONSULT = {
        "THROTTLE_RATES": {"comment": "100/hour"},
        "THROTTLE_IP_RATES": {"comment": "3/hour"},
    }
    url = f"{API}/consultations/{consultation.pk}/comments/"
    statuses = []
    for n in range(6):
        client.force_login(factories.make_user())
        response = client.post(
            url,
            json.dumps({"body": f"Comment {n}"}),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_the_forwarded_address_is_the_client(settings, client, consultation):
    settings.CONSULT = {
        "TRUSTED_PROXY_COUNT": 1,
        "THROTTLE_RATES": {"comment": "100/hour"},
        "THROTTLE_IP_RATES": {"comment": "1/hour"},
    }
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = f"{API}/consultations/{consultation.pk}/comments/"

    def post(forwarded):
        client.force_login(factories.make_user())
        body = json.dumps({"body": "Hello"})
        return client.post(
            url, body, content_type="application/json", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # Two citizens behind the proxy: two addresses, each within its limit.
    assert [post("203.0.113.1"), post("203.0.113.2")] == [201, 201]
    # The same citizen forging an extra hop on the left is still themselves.
    assert post("6.6.6.6, 203.0.113.1") == 429


@pytest.mark.django_db(transaction=True)
def test_a_forged_header_lifts_no_websocket_limit(settings):
    settings.CONSULT = {"WS_MAX_CONNECTIONS_PER_IP": 2}
    page = factories.make_consultation()

    async def scenario():
        sockets, results = [], []
        for n in range(3):

            async def app(scope, receive, send):
                await application({**scope, "client": ["10.0.0.1", 50000]}, receive, send)

            headers = [*ORIGIN, (b"x-forwarded-for", f"198.51.100.{n}".encode())]
            ws = WebsocketCommunicator(app, f"/ws/consult/consultations/{page.pk}/", headers)
            assert (await ws.connect())[0]
            results.append((await ws.receive_output(timeout=2))["type"])
            sockets.append(ws)
        for ws in sockets:
            await ws.disconnect()
        return results

    assert async_to_sync(scenario)() == ["websocket.send", "websocket.send", "websocket.close"]


def test_allauth_must_trust_the_same_proxies(settings):
    settings.CONSULT = {"TRUSTED_PROXY_COUNT": 1}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert "consult.E004" in [message.id for message in run_checks()]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert "consult.E004" not in [message.id for message in run_checks()]
