"""Hostile input answers in the SPEC's error shape, never with a 500."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from consult.models import Ballot
from consult.realtime import hub as hub_module
from tests import factories
from tests.asgi import application

API = "/consult/api/v1"
ORIGIN = [(b"origin", b"http://testserver")]
DEEP = "[" * 3000 + "]" * 3000
# A question's snapshot: its tally, or its turnout while results are hidden.
SNAPSHOTS = ("tally", "turnout")


def assert_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["detail"]


@pytest.mark.django_db
def test_json_nested_3000_levels_is_a_parse_error(yes_no, citizen, client):
    client.force_login(citizen)
    for url in (
        f"{API}/questions/{yes_no.pk}/ballot/",
        f"{API}/consultations/{yes_no.page_id}/comments/",
    ):
        response = client.post(url, DEEP, content_type="application/json")
        assert_error(response, 400, "parse_error")
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_json_nested_3000_levels_from_anonymous_is_no_500(yes_no, client):
    response = client.post(
        f"{API}/questions/{yes_no.pk}/ballot/", DEEP, content_type="application/json"
    )
    assert response.status_code in (400, 401)
    assert response.json()["code"] in ("parse_error", "not_authenticated")


@pytest.mark.django_db
def test_ids_beyond_64_bits_are_unknown_paths(client, citizen):
    huge = "9" * 40
    assert_error(client.get(f"{API}/questions/{huge}/tally/"), 404, "not_found")
    assert_error(client.post(f"{API}/consultations/{huge}/comments/"), 404, "not_found")
    client.force_login(citizen)
    # The JavaScript-off form's address: a plain 404 rather than an overflow.
    assert client.post(f"/consult/questions/{huge}/vote/").status_code == 404


@pytest.mark.django_db
def test_unmatched_paths_and_methods_answer_in_the_error_shape(client):
    assert_error(client.get(f"{API}/no/such/thing/"), 404, "not_found")
    assert_error(client.delete(f"{API}/consultations/"), 405, "method_not_allowed")


async def handshake(path):
    ws = WebsocketCommunicator(application, path, ORIGIN)
    return await ws.connect(timeout=2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    [
        "/ws/consult/consultations/" + "9" * 40 + "/",
        "/ws/consult/consultations/123456789012345678/",
        "/ws/consult/consultations/abc/",
        "/ws/consult/nothing-here/",
        "/ws/consult/",
    ],
    ids=["beyond 64 bits", "no such page", "not a number", "unknown path", "bare prefix"],
)
def test_websocket_paths_that_are_not_pages_are_refused_with_4404(path):
    # Refused in the handshake, like an unpublished page, not failed with a 500.
    assert async_to_sync(handshake)(path) == (False, 4404)


@pytest.mark.django_db(transaction=True)
def test_a_resync_flood_costs_one_snapshot_per_interval(settings, monkeypatch):
    settings.CONSULT = {"WS_RESYNC_INTERVAL": 0.5}
    page = factories.make_consultation(questions=[{"title": "Q?", "method": "yes_no"}])
    calls = []
    original = hub_module.Hub.snapshots

    async def counted(self, page_id):
        calls.append(page_id)
        return await original(self, page_id)

    monkeypatch.setattr(hub_module.Hub, "snapshots", counted)

    async def scenario():
        ws = WebsocketCommunicator(application, f"/ws/consult/consultations/{page.pk}/", ORIGIN)
        assert (await ws.connect())[0]
        assert (await ws.receive_json_from())["type"] in SNAPSHOTS
        calls.clear()
        for _ in range(50):
            await ws.send_json_to({"type": "resync"})
        # The first is answered at once, the 49 others together after 0.5 s.
        assert (await ws.receive_json_from(timeout=1))["type"] in SNAPSHOTS
        assert (await ws.receive_json_from(timeout=2))["type"] in SNAPSHOTS
        assert await ws.receive_nothing(timeout=0.7)
        await ws.disconnect()

    async_to_sync(scenario)()
    assert len(calls) == 2
