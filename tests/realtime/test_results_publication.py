"""Results hidden until voting closes are pushed to open pages at the close,
when no ballot is cast that would bring them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from consult.models import ConsultationPage
from consult.realtime import hub
from consult.voting import presenter, services
from tests import factories
from tests.asgi import application

ORIGIN = [(b"origin", b"http://testserver")]
#: Questions of the consultations made by ``closing_in``.
QUESTIONS = 2


def closing_in(seconds: float, **fields):
    page = factories.make_consultation(
        results_visibility="after_close",
        voting_open_at=timezone.now() - timedelta(hours=1),
        voting_close_at=timezone.now() + timedelta(seconds=seconds),
        questions=[
            {"title": "Car-free?", "method": "yes_no"},
            {"title": "Rank", "method": "ranked", "options": ["A", "B", "C"]},
        ],
        **fields,
    )
    yes_no = page.questions.get(method="yes_no")
    for choice in ("yes", "yes", "no"):
        services.cast_ballot(factories.make_user(), yes_no, {"choice": choice})
    return page, yes_no


async def watch(page) -> tuple[WebsocketCommunicator, dict[int, dict]]:
    """A viewer of ``page``, and the snapshot it got on connecting, by question."""
    ws = WebsocketCommunicator(application, f"/ws/consult/consultations/{page.pk}/", headers=ORIGIN)
    assert (await ws.connect())[0]
    snapshot = [await ws.receive_json_from() for _ in range(QUESTIONS)]
    return ws, {message["question"]: message for message in snapshot}


@pytest.mark.django_db(transaction=True)
def test_open_sockets_get_the_tally_when_voting_closes(monkeypatch):
    # The hub looks again before the close too; nothing may reach viewers then.
    monkeypatch.setattr(hub, "REVEAL_CHECK_EVERY", 0.3)
    page, yes_no = closing_in(1.5)

    async def scenario():
        ws, before = await watch(page)
        after = [await ws.receive_json_from(timeout=5) for _ in before]
        assert await ws.receive_nothing(timeout=0.5)
        await ws.disconnect()
        return before, {message["question"]: message for message in after}

    before, after = async_to_sync(scenario)()

    assert {m["type"] for m in before.values()} == {"turnout"}
    assert "results" not in before[yes_no.pk]
    published = after[yes_no.pk]
    assert published["type"] == "tally"
    # No ballot came between: the same version, now with the results.
    assert published["version"] == before[yes_no.pk]["version"] == 3
    assert {e["key"]: e["votes"] for e in published["results"]} == {"yes": 2, "no": 1, "abstain": 0}
    ranked = next(m for q, m in after.items() if q != yes_no.pk)
    assert ranked["type"] == "tally" and ranked["winner"] is None and ranked["rounds"] == []


@database_sync_to_async
def extend_voting(page_id: int) -> None:
    ConsultationPage.objects.filter(pk=page_id).update(
        voting_close_at=timezone.now() + timedelta(hours=1)
    )


@pytest.mark.django_db(transaction=True)
def test_a_closing_time_moved_later_publishes_nothing_yet(monkeypatch):
    monkeypatch.setattr(hub, "REVEAL_CHECK_EVERY", 0.3)
    page, _yes_no = closing_in(1.0)

    async def scenario():
        ws, before = await watch(page)
        assert {m["type"] for m in before.values()} == {"turnout"}
        await extend_voting(page.pk)
        silent = await ws.receive_nothing(timeout=2.0)
        await ws.disconnect()
        return silent

    assert async_to_sync(scenario)()


@pytest.mark.parametrize(
    ("visibility", "closes_in", "expected"),
    [
        ("after_close", timedelta(hours=1), "at close"),
        ("after_close", -timedelta(minutes=1), None),
        ("hidden", timedelta(hours=1), None),
        ("live", timedelta(hours=1), None),
    ],
)
def test_reveal_time(db, visibility, closes_in, expected):
    close = timezone.now() + closes_in
    page = factories.make_consultation(
        results_visibility=visibility,
        voting_open_at=timezone.now() - timedelta(hours=2),
        voting_close_at=close,
    )
    assert presenter.results_reveal_at(page) == (close if expected else None)


def test_page_waits_with_a_hidden_table_of_zeros(db, client):
    page, yes_no = closing_in(3600)

    html = client.get(page.url).content.decode()

    article = html[html.index(f'id="question-{yes_no.pk}"') :]
    article = article[: article.index("</article>")]
    assert "data-consult-tally hidden" in article
    assert "data-consult-turnout" in article
    # Three ballots are counted; the waiting table shows none of them.
    assert "<span data-ballots>3</span>" in article
    votes = article.split("data-votes>")[1:]
    assert [v.split("<", 1)[0] for v in votes] == ["0", "0", "0"]
    assert "Results will be published when voting closes." in html


def test_permanently_hidden_results_have_no_table(db, client):
    page, yes_no = closing_in(3600)
    page.results_visibility = "hidden"
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    assert "data-consult-tally" not in html
    assert "Results are not published." in html
