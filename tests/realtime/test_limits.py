"""Websocket limits: sockets per client address, idle sockets, bad client frames."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from tests import factories
from tests.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://testserver")]


def from_address(address):
    """The test application as an ASGI server reports a client at ``address``."""

    async def app(scope, receive, send):
        await application({**scope, "client": [address, 50000]}, receive, send)

    return app


async def open_socket(page, address="10.0.0.1"):
    ws = WebsocketCommunicator(
        from_address(address), f"/ws/consult/consultations/{page.pk}/", ORIGIN
    )
    connected, _ = await ws.connect()
    assert connected
    return ws


def test_sockets_per_address_are_limited(settings):
    settings.CONSULT = {**settings.CONSULT, "WS_MAX_CONNECTIONS_PER_IP": 2}
    page = factories.make_consultation()

    async def scenario():
        first, second = await open_socket(page), await open_socket(page)
        for ws in (first, second):
            assert (await ws.receive_json_from())["type"] == "tally"
        refused = await open_socket(page)
        assert await refused.receive_output(timeout=1) == {"type": "websocket.close", "code": 4429}
        other = await open_socket(page, address="10.0.0.2")
        assert (await other.receive_json_from())["type"] == "tally"
        await first.disconnect()
        again = await open_socket(page)
        assert (await again.receive_json_from())["type"] == "tally"
        for ws in (second, other, again):
            await ws.disconnect()

    async_to_sync(scenario)()


def test_an_idle_socket_is_closed_and_a_resync_keeps_it_open(settings):
    settings.CONSULT = {**settings.CONSULT, "WS_IDLE_TIMEOUT": 0.4}
    page = factories.make_consultation()

    async def scenario():
        quiet, active = await open_socket(page), await open_socket(page)
        await quiet.receive_json_from()
        await active.receive_json_from()
        await active.receive_nothing(timeout=0.25)
        await active.send_json_to({"type": "resync"})
        assert (await active.receive_json_from())["type"] == "tally"
        assert await quiet.receive_output(timeout=1) == {"type": "websocket.close", "code": 4408}
        assert await active.receive_nothing(timeout=0.1), "heard from 0.25 s ago: still open"
        assert await active.receive_output(timeout=1) == {"type": "websocket.close", "code": 4408}

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    "frame",
    [{"text_data": '{"type": "vote"}'}, {"text_data": "[]"}, {"bytes_data": b"\x00"}],
    ids=["unknown type", "not an object", "binary"],
)
def test_anything_but_a_resync_closes_the_socket(frame):
    page = factories.make_consultation()

    async def scenario():
        ws = await open_socket(page)
        await ws.receive_json_from()
        await ws.send_to(**frame)
        assert await ws.receive_output(timeout=1) == {"type": "websocket.close", "code": 4400}

    async_to_sync(scenario)()
