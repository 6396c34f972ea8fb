"""Live updates with a channel layer that goes away: ballots go on, updates come back.

A throwaway redis-server on a free port is stopped in the middle of the run.
"""

import asyncio
import json
import logging
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.test import Client

from consult.models import Ballot
from tests import factories
from tests.asgi import application
from tests.multiprocess.servers import free_port, redis_server_binary, start_redis, stop

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(redis_server_binary() is None, reason="needs the redis-server binary"),
]
CSRF = "k" * 32


@pytest.fixture
def redis(settings):
    port = free_port()
    server = {"process": start_redis(port)}
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": f"redis://127.0.0.1:{port}/0",
                        "socket_timeout": 30,
                        "socket_connect_timeout": 1,
                    }
                ],
                "prefix": f"consult-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    settings.CONSULT = {"BROADCAST_TIMEOUT": 1}
    channel_layers.backends.clear()

    def down():
        stop(server["process"])

    def up():
        server["process"] = start_redis(port)

    yield down, up
    stop(server["process"])
    channel_layers.backends.clear()


def signed_in(user):
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
    return [
        (b"host", b"testserver"),
        (b"cookie", cookie.encode()),
        (b"x-csrftoken", CSRF.encode()),
        (b"content-type", b"application/json"),
    ]


async def post_ballot(headers, question_id):
    body = json.dumps({"choice": "yes"}).encode()
    http = HttpCommunicator(
        application,
        "POST",
        f"/consult/api/v1/questions/{question_id}/ballot/",
        body=body,
        headers=[*headers, (b"content-length", str(len(body)).encode())],
    )
    return await http.get_response(timeout=5)


async def until(condition, timeout):
    for _ in range(int(timeout / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def test_ballots_survive_a_redis_outage_and_updates_resume(redis, caplog):
    down, up = redis
    page = factories.make_consultation()
    question = factories.first_question(page)
    first, second = signed_in(factories.make_user()), signed_in(factories.make_user())
    ballots = database_sync_to_async(lambda: Ballot.objects.filter(question=question).count())

    async def scenario():
        ws = WebsocketCommunicator(
            application,
            f"/ws/consult/consultations/{page.pk}/",
            [(b"origin", b"http://testserver")],
        )
        assert (await ws.connect())[0]
        assert (await ws.receive_json_from())["version"] == 0

        await asyncio.to_thread(down)
        response = await post_ballot(first, question.pk)
        assert response["status"] == 201, response["body"]
        assert await ballots() == 1
        assert await until(lambda: "broadcast to consultation" in caplog.text, timeout=5)

        await asyncio.to_thread(up)
        # The ballot cast during the outage is shown once Redis is back...
        update = await ws.receive_json_from(timeout=10)
        assert (update["version"], update["ballots"]) == (1, 1)
        # ...and new ballots are broadcast again.
        assert (await post_ballot(second, question.pk))["status"] == 201
        update = await ws.receive_json_from(timeout=3)
        assert (update["version"], update["ballots"]) == (2, 2)
        await ws.disconnect()

    with caplog.at_level(logging.INFO, logger="consult"):
        async_to_sync(scenario)()
    assert "lost the channel layer" in caplog.text
    assert "live updates resumed" in caplog.text
