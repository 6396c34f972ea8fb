"""The live path over channels-redis, as a multi-process deployment runs it."""

import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from channels_redis.core import RedisChannelLayer

from consult.voting import services
from tests import factories
from tests.asgi import application
from tests.conftest import REDIS_URL

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def redis_layers(prefix):
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 100}],
                "prefix": prefix,
            },
        }
    }


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = redis_layers(f"consult-test-{uuid.uuid4().hex[:8]}")
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_ballot_reaches_socket_through_redis(redis_layer):
    page = factories.make_consultation()
    question = factories.first_question(page)
    voter = factories.make_user()

    async def scenario():
        ws = WebsocketCommunicator(
            application,
            f"/ws/consult/consultations/{page.pk}/",
            headers=[(b"origin", b"http://testserver")],
        )
        connected, _ = await ws.connect()
        assert connected
        assert (await ws.receive_json_from())["version"] == 0
        await database_sync_to_async(services.cast_ballot)(voter, question, {"choice": "yes"})
        update = await ws.receive_json_from(timeout=3)
        assert update["ballots"] == 1 and update["version"] == 1
        await ws.disconnect()

    async_to_sync(scenario)()


def test_group_message_crosses_layer_instances():
    """Two layer instances stand for two worker processes sharing Redis."""
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    config = redis_layers(prefix)["default"]["CONFIG"]

    async def scenario():
        worker_a = RedisChannelLayer(**config)
        worker_b = RedisChannelLayer(**config)
        channel = await worker_a.new_channel()
        await worker_a.group_add("consult.consultation.1", channel)
        await worker_b.group_send("consult.consultation.1", {"type": "consult.update", "v": 7})
        message = await worker_a.receive(channel)
        assert message == {"type": "consult.update", "v": 7}
        await worker_a.flush()
        await worker_a.close_pools()
        await worker_b.close_pools()

    async_to_sync(scenario)()
