"""The per-process hub: one subscription per consultation, fanned out to its sockets."""

import asyncio
import logging
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers
from channels.testing import WebsocketCommunicator

from consult.models import Ballot
from consult.realtime.groups import consultation_group
from consult.voting import services
from tests import factories
from tests.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://testserver")]
cast = database_sync_to_async(services.cast_ballot)


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, noting who joins which group."""

    def __init__(self):
        super().__init__()
        self.joins: list[tuple[str, str]] = []
        self.sent: list[dict] = []

    async def group_add(self, group, channel):
        self.joins.append((group, channel))
        await super().group_add(group, channel)

    async def group_send(self, group, message):
        self.sent.append(message)
        await super().group_send(group, message)


class BrokenLayer(InMemoryChannelLayer):
    """A channel layer whose server is gone (or hangs, with ``hang``)."""

    def __init__(self, hang=False):
        super().__init__()
        self.hang = hang

    async def group_send(self, group, message):
        if self.hang:
            await asyncio.sleep(3600)
        raise ConnectionError("channel layer unreachable")


@pytest.fixture
def use_layer():
    """Install a channel layer instance as "default" for one test."""

    def install(layer):
        channel_layers.set("default", layer)
        return layer

    yield install
    # The next get_channel_layer() builds the configured one afresh.
    channel_layers.backends.pop("default", None)


async def viewer(page):
    """A connected socket and its snapshot (the pages here have one question)."""
    ws = WebsocketCommunicator(application, f"/ws/consult/consultations/{page.pk}/", ORIGIN)
    connected, _ = await ws.connect()
    assert connected
    return ws, [await ws.receive_json_from()]


def test_one_membership_per_process_for_all_its_sockets(use_layer):
    layer = use_layer(RecordingLayer())
    page = factories.make_consultation()
    question = factories.first_question(page)
    voter = factories.make_user()

    async def scenario():
        sockets = [(await viewer(page))[0] for _ in range(3)]
        await cast(voter, question, {"choice": "yes"})
        texts = {(await ws.receive_output(timeout=2))["text"] for ws in sockets}
        assert len(texts) == 1, "every socket gets the same serialised frame"
        assert '"ballots": 1' in texts.pop()
        for ws in sockets:
            await ws.disconnect()
        group = consultation_group(page.pk)
        deadline = time.monotonic() + 2
        while group in layer.groups and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert group not in layer.groups, "the last socket leaving ends the membership"

    async_to_sync(scenario)()
    assert [group for group, _ in layer.joins] == [consultation_group(page.pk)]
    assert len(layer.sent) == 1


def test_updates_reach_only_the_consultation_they_are_about(use_layer):
    use_layer(InMemoryChannelLayer())
    first, second = factories.make_consultation(), factories.make_consultation()
    question = factories.first_question(second)
    voter = factories.make_user()

    async def scenario():
        ws_first, _ = await viewer(first)
        ws_second, _ = await viewer(second)
        await cast(voter, question, {"choice": "no"})
        update = await ws_second.receive_json_from(timeout=2)
        assert update["ballots"] == 1
        assert await ws_first.receive_nothing(timeout=0.3)
        await ws_first.disconnect()
        await ws_second.disconnect()

    async_to_sync(scenario)()


def test_a_late_viewer_and_a_resync_get_the_newest_state(use_layer):
    use_layer(InMemoryChannelLayer())
    page = factories.make_consultation()
    question = factories.first_question(page)
    voters = [factories.make_user() for _ in range(3)]

    async def received(ws, first=()):
        versions = list(first)
        while not await ws.receive_nothing(timeout=0.6):
            versions.append((await ws.receive_json_from())["version"])
        return versions

    async def scenario():
        early, _ = await viewer(page)
        for voter in voters:
            await cast(voter, question, {"choice": "yes"})
        # Joining within the coalescing window: the snapshot may lag behind
        # by one window, never the state that follows it.
        late, (snapshot,) = await viewer(page)
        for versions in (await received(early), await received(late, [snapshot["version"]])):
            assert versions[-1] == 3 and versions == sorted(set(versions))
        await early.send_json_to({"type": "resync"})
        assert (await early.receive_json_from())["version"] == 3
        await early.disconnect()
        await late.disconnect()

    async_to_sync(scenario)()


def test_without_an_event_loop_the_broadcast_is_sent_before_returning(
    use_layer, django_capture_on_commit_callbacks
):
    layer = use_layer(RecordingLayer())
    question = factories.first_question(factories.make_consultation())

    with django_capture_on_commit_callbacks(execute=True):
        services.cast_ballot(factories.make_user(), question, {"choice": "yes"})

    [event] = layer.sent
    assert event["page"] == question.page_id
    assert event["topic"] == f"question:{question.pk}"
    assert event["version"] == 1 and event["message"]["ballots"] == 1


@pytest.mark.parametrize("hang", [False, True], ids=["refused", "hanging"])
def test_a_broken_layer_never_fails_or_holds_up_a_ballot(
    use_layer, settings, caplog, hang, django_capture_on_commit_callbacks
):
    settings.CONSULT = {**settings.CONSULT, "BROADCAST_TIMEOUT": 0.3}
    use_layer(BrokenLayer(hang=hang))
    question = factories.first_question(factories.make_consultation())
    voter = factories.make_user()

    started = time.monotonic()
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        result = services.cast_ballot(voter, question, {"choice": "yes"})
    assert time.monotonic() - started < 2
    assert result.created and Ballot.objects.filter(question=question).count() == 1
    assert "broadcast to consultation" in caplog.text


def test_under_asgi_a_ballot_does_not_wait_for_the_layer(use_layer, settings, caplog):
    settings.CONSULT = {**settings.CONSULT, "BROADCAST_TIMEOUT": 0.5}
    use_layer(BrokenLayer(hang=True))
    question = factories.first_question(factories.make_consultation())
    voter = factories.make_user()

    async def scenario():
        started = time.monotonic()
        await cast(voter, question, {"choice": "yes"})
        assert time.monotonic() - started < 0.4
        await asyncio.sleep(0.7)  # the broadcast gives up meanwhile

    with caplog.at_level(logging.ERROR):
        async_to_sync(scenario)()
    assert Ballot.objects.filter(question=question).count() == 1
    assert "broadcast to consultation" in caplog.text


class DroppingLayer(InMemoryChannelLayer):
    """A layer that loses group messages without an error, as a full channel does."""

    def __init__(self):
        super().__init__()
        self.dropping = False

    async def group_send(self, group, message):
        if not self.dropping:
            await super().group_send(group, message)


def test_the_audit_delivers_an_update_the_layer_lost(use_layer, settings, caplog):
    settings.CONSULT = {**settings.CONSULT, "LIVE_AUDIT_INTERVAL": 0.3}
    layer = use_layer(DroppingLayer())
    page = factories.make_consultation(questions=[{"title": "Q", "method": "yes_no"}])
    question = page.questions.get()
    voters = [factories.make_user() for _ in range(2)]

    async def scenario():
        ws, snapshot = await viewer(page)
        await cast(voters[0], question, {"choice": "yes"})
        delivered = await ws.receive_json_from(timeout=2)
        layer.dropping = True
        await cast(voters[1], question, {"choice": "no"})
        # Lost on the way: only the audit can bring it.
        recovered = await ws.receive_json_from(timeout=3)
        await ws.disconnect()
        return snapshot[0], delivered, recovered

    with caplog.at_level(logging.WARNING, logger="consult.realtime.hub"):
        snapshot, delivered, recovered = async_to_sync(scenario)()

    assert (snapshot["version"], delivered["version"], recovered["version"]) == (0, 1, 2)
    assert {e["key"]: e["votes"] for e in recovered["results"]} == {"yes": 1, "no": 1, "abstain": 0}
    assert "were lost" in caplog.text


def test_without_the_audit_a_lost_update_stays_lost(use_layer, settings):
    settings.CONSULT = {**settings.CONSULT, "LIVE_AUDIT_INTERVAL": None}
    layer = use_layer(DroppingLayer())
    page = factories.make_consultation(questions=[{"title": "Q", "method": "yes_no"}])
    question = page.questions.get()
    citizen = factories.make_user()

    async def scenario():
        ws, _snapshot = await viewer(page)
        layer.dropping = True
        await cast(citizen, question, {"choice": "yes"})
        silent = await ws.receive_nothing(timeout=1.0)
        await ws.disconnect()
        return silent

    assert async_to_sync(scenario)()
