"""Open pages learn of each phase boundary over the websocket (SPEC §12):
``{"type": "phase", "consultation": id, "status": STATUS}``, pushed by the
hub when the boundary passes, since nothing else happens then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from consult.realtime import hub
from tests import factories
from tests.asgi import application

ORIGIN = [(b"origin", b"http://testserver")]


async def connect(page) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(application, f"/ws/consult/consultations/{page.pk}/", headers=ORIGIN)
    assert (await ws.connect())[0]
    return ws


@pytest.mark.django_db(transaction=True)
def test_each_boundary_is_pushed_once_with_the_new_status(monkeypatch):
    monkeypatch.setattr(hub, "REVEAL_CHECK_EVERY", 0.3)  # early wake-ups push nothing
    now = timezone.now()
    page = factories.make_consultation(
        questions=[],
        proposals_open_at=now + timedelta(seconds=2),
        proposals_close_at=now + timedelta(seconds=3.5),
        voting_open_at=now + timedelta(seconds=3.5),
        voting_close_at=now + timedelta(days=1),
    )

    async def scenario():
        ws = await connect(page)
        assert await ws.receive_nothing(timeout=0.3)  # no snapshot: no question, same phase
        messages = [await ws.receive_json_from(timeout=5) for _ in range(2)]
        assert await ws.receive_nothing(timeout=0.8)
        await ws.disconnect()
        return messages

    opened, voting = async_to_sync(scenario)()
    assert {k: opened[k] for k in ("type", "consultation", "status")} == {
        "type": "phase",
        "consultation": page.pk,
        "status": "proposals",
    }
    # The proposals closing and the voting opening are one boundary.
    assert voting["status"] == "voting"
    assert voting["version"] == int(page.voting_open_at.timestamp()) > opened["version"]


@pytest.mark.django_db(transaction=True)
def test_a_page_without_boundaries_ahead_gets_no_phase_message(monkeypatch):
    monkeypatch.setattr(hub, "REVEAL_CHECK_EVERY", 0.2)
    page = factories.make_consultation(questions=[])  # open for voting, no close

    async def scenario():
        ws = await connect(page)
        quiet = await ws.receive_nothing(timeout=1)
        await ws.disconnect()
        return quiet

    assert async_to_sync(scenario)()


def test_phase_boundaries_are_the_last_passed_and_the_next(db):
    from consult.models import ConsultationPage

    now = timezone.now()
    page = ConsultationPage(
        proposals_open_at=now - timedelta(days=2),
        proposals_close_at=now - timedelta(days=1),
        voting_open_at=now - timedelta(days=1),
        voting_close_at=now + timedelta(days=1),
    )
    assert page.phase_boundaries(now) == (page.voting_open_at, page.voting_close_at)
    assert page.phase_boundaries(page.voting_close_at) == (page.voting_close_at, None)
    assert page.phase_boundaries(now - timedelta(days=3)) == (None, page.proposals_open_at)
    assert ConsultationPage().phase_boundaries(now) == (None, None)
