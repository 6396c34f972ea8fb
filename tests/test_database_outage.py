"""A database that is down or locked: 503 with Retry-After, never a 500."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from consult.api import views as api_views
from consult.exceptions import Unavailable
from consult.models import Ballot, ConsultationPage
from consult.realtime import hub as hub_module
from consult.voting import retry
from tests.asgi import application
from tests.conftest import POSTGRES

API = "/consult/api/v1"


def refuse(*args, **kwargs):
    raise OperationalError("connection failed: couldn't get a connection after 3.00 sec")


@pytest.mark.django_db
def test_the_api_answers_503_unavailable_json(monkeypatch, yes_no, citizen, client, settings):
    settings.CONSULT = {"UNAVAILABLE_RETRY_AFTER": 7}
    monkeypatch.setattr(api_views, "live_question", refuse)
    client.force_login(citizen)
    response = client.post(
        f"{API}/questions/{yes_no.pk}/ballot/",
        json.dumps({"choice": "yes"}),
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response.json()["code"] == "unavailable" and response.json()["detail"]
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_pages_answer_a_styled_503(monkeypatch, consultation, client):
    monkeypatch.setattr(ConsultationPage, "get_context", refuse)
    response = client.get(consultation.url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "<style>" in html and "<h1>" in html and 'lang="en"' in html
    assert "Unavailable for a moment" in html


@pytest.mark.django_db
def test_other_errors_are_not_disguised(monkeypatch, consultation, client):
    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(ConsultationPage, "get_context", bug)
    client.raise_request_exception = False
    assert client.get(consultation.url).status_code == 500


@pytest.mark.skipif(POSTGRES, reason="SQLite's lock errors only")
@pytest.mark.django_db(transaction=True)
def test_a_locked_sqlite_transaction_is_run_again():
    attempts = []

    def write():
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("database is locked")
        return "written"

    assert retry.retry_when_locked(write) == "written"
    assert len(attempts) == 3


@pytest.mark.skipif(POSTGRES, reason="SQLite's lock errors only")
@pytest.mark.django_db(transaction=True)
def test_a_lock_that_lasts_answers_unavailable(monkeypatch):
    monkeypatch.setattr(retry, "LOCK_RETRY_SECONDS", 0.2)

    def write():
        raise OperationalError("database is locked")

    with pytest.raises(Unavailable):
        retry.retry_when_locked(write)


@pytest.mark.django_db(transaction=True)
def test_other_operational_errors_are_not_retried():
    attempts = []

    def write():
        attempts.append(1)
        raise OperationalError("no such table: consult_ballot")

    with pytest.raises(OperationalError):
        retry.retry_when_locked(write)
    assert len(attempts) == 1


@pytest.mark.django_db(transaction=True)
def test_a_websocket_is_told_to_try_again_later(monkeypatch, consultation):
    async def refuse_async(self, page_id):
        refuse()

    monkeypatch.setattr(hub_module.Hub, "snapshots", refuse_async)

    async def scenario():
        ws = WebsocketCommunicator(
            application,
            f"/ws/consult/consultations/{consultation.pk}/",
            [(b"origin", b"http://testserver")],
        )
        return await ws.connect(timeout=3)

    assert async_to_sync(scenario)() == (False, 1013)
