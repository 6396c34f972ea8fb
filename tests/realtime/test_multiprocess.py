"""Several worker processes on one Redis: a ballot cast through worker A
reaches a websocket held by worker B."""

import json
import urllib.request
import uuid

import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from websockets.sync.client import connect as websocket

from tests import factories
from tests.conftest import REDIS_URL
from tests.multiprocess.servers import free_port, start_worker, stop, wait_for_http

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CSRF = "c" * 32


@pytest.fixture
def workers():
    """Two uvicorn workers on this test's database and a Redis prefix of its own."""
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.multiprocess.settings",
        "CONSULT_WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        "CONSULT_WORKER_REDIS_PREFIX": prefix,
    }
    ports = [free_port(), free_port()]
    processes = [start_worker(port, env) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            wait_for_http(process, f"http://127.0.0.1:{port}/consult/api/v1/consultations/")
        yield ports
    finally:
        for process in processes:
            stop(process)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def session_cookie(user):
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}; csrftoken={CSRF}"


def test_a_ballot_through_one_worker_reaches_a_socket_on_another(workers):
    port_a, port_b = workers
    page = factories.make_consultation()
    question = factories.first_question(page)
    cookie = session_cookie(factories.make_user())

    url = f"ws://127.0.0.1:{port_b}/ws/consult/consultations/{page.pk}/"
    with websocket(url, origin=f"http://127.0.0.1:{port_b}", open_timeout=5) as ws:
        snapshot = json.loads(ws.recv(timeout=5))
        assert (snapshot["question"], snapshot["version"]) == (question.pk, 0)

        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"http://127.0.0.1:{port_a}/consult/api/v1/questions/{question.pk}/ballot/",
            data=json.dumps({"choice": "no"}).encode(),
            headers={"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": CSRF},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 201

        update = json.loads(ws.recv(timeout=5))
    assert update["type"] == "tally" and update["question"] == question.pk
    assert (update["version"], update["ballots"]) == (1, 1)
    assert {entry["key"]: entry["votes"] for entry in update["results"]}["no"] == 1
