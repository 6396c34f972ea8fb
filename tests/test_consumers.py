from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone

from consult.voting import services
from tests import factories
from tests.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://testserver")]


def path(page):
    return f"/ws/consult/consultations/{page.pk}/"


def run(coroutine_function):
    async_to_sync(coroutine_function)()


@pytest.fixture
def page():
    return factories.make_consultation(
        questions=[
            {"title": "Car-free?", "method": "yes_no"},
            {"title": "Design?", "method": "single", "options": ["A", "B"]},
        ]
    )


@pytest.fixture
def voters():
    return [factories.make_user() for _ in range(5)]


cast = database_sync_to_async(services.cast_ballot)


async def connect(page, headers=ORIGIN):
    communicator = WebsocketCommunicator(application, path(page), headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


def test_snapshot_on_connect(page):
    questions = list(page.questions.all())

    async def scenario():
        ws, connected = await connect(page)
        assert connected
        first = await ws.receive_json_from()
        second = await ws.receive_json_from()
        assert [first["question"], second["question"]] == [q.pk for q in questions]
        assert first["type"] == second["type"] == "tally"
        assert first["version"] == 0 and first["ballots"] == 0
        assert [e["key"] for e in first["results"]] == ["yes", "no", "abstain"]
        assert await ws.receive_nothing(timeout=0.1)
        await ws.disconnect()

    run(scenario)


def test_ballot_is_pushed_after_commit(page, voters):
    question = page.questions.get(method="yes_no")

    async def scenario():
        ws, _ = await connect(page)
        await ws.receive_json_from()
        await ws.receive_json_from()
        await cast(voters[0], question, {"choice": "no"})
        message = await ws.receive_json_from(timeout=2)
        assert message["type"] == "tally"
        assert message["question"] == question.pk
        assert message["ballots"] == 1 and message["version"] == 1
        assert {e["key"]: e["votes"] for e in message["results"]}["no"] == 1
        await ws.disconnect()

    run(scenario)


def test_rolled_back_ballot_is_never_pushed(page, voters):
    question = page.questions.get(method="yes_no")

    class Abort(Exception):
        pass

    @database_sync_to_async
    def cast_then_roll_back():
        with pytest.raises(Abort), transaction.atomic():
            services.cast_ballot(voters[0], question, {"choice": "yes"})
            raise Abort

    async def scenario():
        ws, _ = await connect(page)
        await ws.receive_json_from()
        await ws.receive_json_from()
        await cast_then_roll_back()
        assert await ws.receive_nothing(timeout=0.5)
        await ws.disconnect()

    run(scenario)
    assert question.participations.count() == 0


def test_foreign_origin_is_refused(page):
    async def scenario():
        for headers in ([(b"origin", b"https://evil.example")], []):
            ws, connected = await connect(page, headers=headers)
            assert not connected
            await ws.disconnect()

    run(scenario)


def test_unknown_page_is_closed(db):
    async def scenario():
        ws = WebsocketCommunicator(application, "/ws/consult/consultations/99999/", headers=ORIGIN)
        connected, code = await ws.connect()
        assert not connected
        assert code == 4404

    run(scenario)


def test_hidden_results_send_turnout_only(page, voters):
    page.results_visibility = "after_close"
    page.save()
    question = page.questions.get(method="yes_no")

    async def scenario():
        ws, _ = await connect(page)
        snapshot = await ws.receive_json_from()
        await ws.receive_json_from()
        assert snapshot == {"type": "turnout", "question": question.pk, "version": 0, "ballots": 0}
        await cast(voters[0], question, {"choice": "yes"})
        update = await ws.receive_json_from(timeout=2)
        assert update["type"] == "turnout" and update["ballots"] == 1
        assert "results" not in update
        await ws.disconnect()

    run(scenario)


def test_updates_are_coalesced_and_the_last_state_arrives(page, voters, settings):
    settings.CONSULT = {"BROADCAST_INTERVAL": 0.3}
    question = page.questions.get(method="yes_no")

    async def scenario():
        ws, _ = await connect(page)
        await ws.receive_json_from()
        await ws.receive_json_from()
        for voter in voters:
            await cast(voter, question, {"choice": "yes"})
        received = []
        while not await ws.receive_nothing(timeout=0.6):
            received.append(await ws.receive_json_from())
        versions = [m["version"] for m in received]
        assert versions == sorted(set(versions)), "versions must strictly increase"
        assert len(received) < len(voters), "updates inside one interval must be merged"
        assert received[-1]["ballots"] == len(voters)
        assert received[-1]["version"] == len(voters)
        await ws.disconnect()

    run(scenario)


def test_resync_sends_fresh_snapshots_and_bad_frames_close(page):
    question_ids = set(page.questions.values_list("pk", flat=True))

    async def scenario():
        ws, _ = await connect(page)
        await ws.receive_json_from()
        await ws.receive_json_from()
        await ws.send_json_to({"type": "resync"})
        again = [await ws.receive_json_from(), await ws.receive_json_from()]
        assert {m["question"] for m in again} == question_ids
        await ws.send_to(text_data="x" * 10_000)
        closed = await ws.receive_output(timeout=1)
        assert closed == {"type": "websocket.close", "code": 4400}
        await ws.disconnect()

    run(scenario)


def test_closed_voting_still_streams_final_results(page):
    page.voting_close_at = timezone.now() - timedelta(minutes=1)
    page.results_visibility = "after_close"
    page.save()

    async def scenario():
        ws, connected = await connect(page)
        assert connected
        assert (await ws.receive_json_from())["type"] == "tally"
        await ws.disconnect()

    run(scenario)
