"""Live updates of supports and comments: the messages, their versions, and
their way through the websocket after commit."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from consult.contributions import moderation, services
from consult.realtime.broadcast import comments_message, supports_message
from tests import factories


@pytest.mark.django_db
def test_supports_message_and_version(citizen):
    page = factories.make_proposal_consultation()
    proposal = factories.make_proposal(page)
    assert supports_message(proposal.pk) == (
        page.pk,
        0,
        {"type": "supports", "proposal": proposal.pk, "supports": 0},
    )
    services.support_proposal(citizen, proposal)
    services.withdraw_support(citizen, proposal)
    services.support_proposal(factories.make_user(), proposal)
    assert supports_message(proposal.pk)[1:] == (
        3,
        {"type": "supports", "proposal": proposal.pk, "supports": 1},
    )
    pending = factories.make_proposal(page, status="pending")
    assert supports_message(pending.pk) is None  # nobody else sees it
    assert supports_message(987654) is None


@pytest.mark.django_db
def test_comments_message_counts_published_comments(citizen):
    page = factories.make_proposal_consultation(moderation="post")
    assert comments_message(page.pk) is None  # no feed before the first comment
    first = services.post_comment(citizen, page, body="One")
    services.post_comment(citizen, page, body="Two", proposal=factories.make_proposal(page))
    factories.make_comment(page, status="pending")
    assert comments_message(page.pk) == (
        2,
        {"type": "comments", "consultation": page.pk, "count": 2},
    )
    services.delete_comment(citizen, first)
    assert comments_message(page.pk) == (
        3,
        {"type": "comments", "consultation": page.pk, "count": 1},
    )
    page.unpublish()
    assert comments_message(page.pk) is None


@pytest.mark.django_db
def test_no_broadcast_when_the_transaction_rolls_back(citizen, monkeypatch):
    from django.db import transaction

    sent = []
    monkeypatch.setattr("consult.realtime.broadcast._send", lambda *args: sent.append(args))
    page = factories.make_proposal_consultation(moderation="post")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.post_comment(citizen, page, body="Never committed")
        raise RuntimeError
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_new_comments_and_supports_reach_the_websocket():
    from tests.asgi import application

    page = factories.make_proposal_consultation(moderation="pre")
    author, supporter = factories.make_user(), factories.make_user()
    moderator = factories.make_moderator()
    proposal = factories.make_proposal(page)
    post = database_sync_to_async(services.post_comment)
    approve = database_sync_to_async(moderation.moderate)
    support = database_sync_to_async(services.support_proposal)

    async def scenario():
        ws = WebsocketCommunicator(
            application,
            f"/ws/consult/consultations/{page.pk}/",
            headers=[(b"origin", b"http://testserver")],
        )
        connected, _ = await ws.connect()
        assert connected
        comment = await post(author, page, body="Hello")
        assert await ws.receive_nothing(timeout=0.3)  # pending: nothing public changed
        await approve(moderator, comment, "approve")
        message = await ws.receive_json_from(timeout=3)
        assert message == {"type": "comments", "consultation": page.pk, "count": 1}
        await support(supporter, proposal)
        message = await ws.receive_json_from(timeout=3)
        assert message == {"type": "supports", "proposal": proposal.pk, "supports": 1}
        await ws.disconnect()

    async_to_sync(scenario)()
