"""Viewers of a translated consultation follow the ballots of its original,
in their own language's ids and words, over the websocket."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from consult.models import ConsultationPage
from consult.voting import services
from tests import factories
from tests.asgi import application
from tests.voting.test_translations import translate

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://testserver")]


@pytest.fixture
def pages(settings):
    from wagtail.models import Locale

    settings.WAGTAIL_I18N_ENABLED = True
    original = factories.make_consultation(
        title="Market square",
        questions=[
            {"title": "Car-free square?", "method": "yes_no"},
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]},
        ],
    )
    french = translate(original, Locale.objects.get_or_create(language_code="fr")[0])
    return original, french


def questions(page: ConsultationPage, method: str):
    return page.questions.select_related("page").get(method=method)


cast = database_sync_to_async(services.cast_ballot)


async def watch(page_id: int) -> tuple[WebsocketCommunicator, dict[int, dict]]:
    ws = WebsocketCommunicator(application, f"/ws/consult/consultations/{page_id}/", headers=ORIGIN)
    assert (await ws.connect())[0]
    snapshot = [await ws.receive_json_from() for _ in range(2)]
    return ws, {message["question"]: message for message in snapshot}


def test_translated_page_starts_from_and_follows_the_originals_tally(pages):
    original, french = pages
    source, translated = questions(original, "single"), questions(french, "single")
    hall = source.options.get(label="Hall")
    halle = translated.options.get(label="Halle")
    services.cast_ballot(factories.make_user(), source, {"option": hall.pk})
    citizen = factories.make_user()

    async def scenario():
        ws, snapshot = await watch(french.pk)
        # A ballot cast in French counts on the original and reaches French viewers.
        await cast(citizen, translated, {"option": halle.pk})
        update = await ws.receive_json_from(timeout=3)
        await ws.disconnect()
        return snapshot, update

    snapshot, update = async_to_sync(scenario)()

    first = snapshot[translated.pk]
    assert first["ballots"] == 1
    assert {e["label"]: e["votes"] for e in first["results"]} == {
        "Vert": 0,
        "Halle": 1,
        "Esplanade": 0,
    }
    assert update["question"] == translated.pk
    assert update["ballots"] == 2 and update["version"] == first["version"] + 1
    assert {e["key"]: e["votes"] for e in update["results"]}[str(halle.pk)] == 2
    assert {e["label"] for e in update["results"]} == {"Vert", "Halle", "Esplanade"}


def test_original_page_viewers_see_ballots_cast_in_the_translation(pages):
    original, french = pages
    source, translated = questions(original, "yes_no"), questions(french, "yes_no")
    citizen = factories.make_user()

    async def scenario():
        ws, snapshot = await watch(original.pk)
        await cast(citizen, translated, {"choice": "no"})
        update = await ws.receive_json_from(timeout=3)
        await ws.disconnect()
        return snapshot, update

    snapshot, update = async_to_sync(scenario)()

    assert snapshot[source.pk]["ballots"] == 0
    assert update["question"] == source.pk
    assert {e["key"]: e["votes"] for e in update["results"]}["no"] == 1
