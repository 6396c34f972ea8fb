"""Wagtail's page privacy holds through every entry point.

A consultation restricted to signed-in users, to a group, with a password,
or below a restricted ancestor does not exist for those it is hidden from:
not in the API, the websocket, blocks on other pages, the index page, the
page forms or a direct service call; and it works as usual for those it is
shown to.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client, RequestFactory
from wagtail.models import PageViewRestriction

from consult.actor import Actor
from consult.blocks import LiveResultsBlock
from consult.exceptions import NotFound
from consult.models import Participation
from consult.voting import services
from tests import factories
from tests.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

API = "/consult/api/v1"
PASSED = PageViewRestriction.passed_view_restrictions_session_key
KINDS = ["login", "password", "groups", "ancestor"]


@dataclass
class World:
    page: object
    question: object
    outsider: object  # AnonymousUser or a user
    insider: object
    restriction: PageViewRestriction


@pytest.fixture(params=KINDS)
def world(request) -> World:
    kind = request.param
    # Both phases open at once, so that ballots and proposals are accepted.
    page = factories.make_consultation(
        questions=[{"title": "Car-free?", "method": "yes_no"}],
        **factories.proposals_open(**factories.voting_open()),
    )
    question = factories.first_question(page)
    member = factories.make_user()
    stranger = factories.make_user()
    if kind == "login":
        restriction = PageViewRestriction.objects.create(page=page, restriction_type="login")
        outsider = AnonymousUser()
    elif kind == "ancestor":
        restriction = PageViewRestriction.objects.create(
            page=page.get_parent(), restriction_type="login"
        )
        outsider = AnonymousUser()
    elif kind == "password":
        restriction = PageViewRestriction.objects.create(
            page=page,
            restriction_type="password",
            password="s3same",  # noqa: S106
        )
        outsider = stranger
    else:
        residents = Group.objects.create(name="Residents")
        member.groups.add(residents)
        restriction = PageViewRestriction.objects.create(page=page, restriction_type="groups")
        restriction.groups.add(residents)
        outsider = stranger
    return World(page, question, outsider, member, restriction)


def client_of(world: World, user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    if user is world.insider and world.restriction.restriction_type == "password":
        session = client.session
        session[PASSED] = [world.restriction.pk]
        session.save()
    return client


def actor_of(world: World, user) -> Actor:
    passed = frozenset()
    if user is world.insider and world.restriction.restriction_type == "password":
        passed = frozenset({world.restriction.pk})
    return Actor(user=user, passed_restrictions=passed)


def request_of(world: World, user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = client_of(world, user).session
    return request


# -------------------------------------------------------------------------
# Each entry point: (what the outsider gets, what the insider gets).


def api_list(world, user):
    listed = client_of(world, user).get(f"{API}/consultations/").json()["results"]
    return world.page.pk in {item["id"] for item in listed}


def api_detail(world, user):
    return client_of(world, user).get(f"{API}/consultations/{world.page.pk}/").status_code


def api_tally(world, user):
    return client_of(world, user).get(f"{API}/questions/{world.question.pk}/tally/").status_code


def api_proposals(world, user):
    url = f"{API}/consultations/{world.page.pk}/proposals/"
    return client_of(world, user).get(url).status_code


def api_comments(world, user):
    url = f"{API}/consultations/{world.page.pk}/comments/"
    return client_of(world, user).get(url).status_code


def api_ballot(world, user):
    response = client_of(world, user).post(
        f"{API}/questions/{world.question.pk}/ballot/",
        {"choice": "yes"},
        content_type="application/json",
    )
    return response.status_code


def api_proposal_post(world, user):
    response = client_of(world, user).post(
        f"{API}/consultations/{world.page.pk}/proposals/",
        {"title": "Trees", "body": "Plant trees along the tram line."},
        content_type="application/json",
    )
    return response.status_code


def form_vote(world, user):
    client_of(world, user).post(
        f"/consult/questions/{world.question.pk}/vote/", {f"q{world.question.pk}-choice": "yes"}
    )
    return Participation.objects.filter(question=world.question).count()


def service_vote(world, user):
    try:
        services.cast_ballot(actor_of(world, user), world.question, {"choice": "no"})
    except NotFound:
        return "not found"
    return "counted"


def websocket(world, user):
    client = client_of(world, user)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    headers = [(b"origin", b"http://testserver")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie.value}".encode()))

    async def connect():
        ws = WebsocketCommunicator(
            application, f"/ws/consult/consultations/{world.page.pk}/", headers=headers
        )
        connected, code = await ws.connect()
        if connected:
            await ws.disconnect()
        return connected, code

    connected, code = async_to_sync(connect)()
    return "connected" if connected else code


def block_elsewhere(world, user):
    block = LiveResultsBlock()
    value = block.to_python({"question": world.question.pk, "heading": ""})
    html = block.render(value, context={"request": request_of(world, user)})
    return world.question.title in html


def index_page(world, user):
    index = world.page.get_parent()
    if index.get_view_restrictions():
        # Wagtail itself guards a restricted index: only the listing of an
        # open index is ours to check.
        return None
    response = client_of(world, user).get(index.url)
    return world.page.title in response.content.decode()


ENTRY_POINTS = {
    "api_list": (api_list, False, True),
    "api_detail": (api_detail, 404, 200),
    "api_tally": (api_tally, 404, 200),
    "api_proposals": (api_proposals, 404, 200),
    "api_comments": (api_comments, 404, 200),
    "api_ballot": (api_ballot, 404, 201),
    "api_proposal_post": (api_proposal_post, 404, 201),
    "form_vote": (form_vote, 0, 1),
    "service_vote": (service_vote, "not found", "counted"),
    "websocket": (websocket, 4404, "connected"),
    "block_elsewhere": (block_elsewhere, False, True),
    "index_page": (index_page, False, True),
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_restricted_consultation_is_hidden_from_outsiders_only(world, entry):
    check, hidden, shown = ENTRY_POINTS[entry]
    outcome = check(world, world.outsider)
    if outcome is None:
        pytest.skip("not applicable to this restriction")
    assert outcome == hidden, (entry, "outsider")
    assert check(world, world.insider) == shown, (entry, "insider")


def test_outsider_ballot_writes_nothing(world):
    api_ballot(world, world.outsider)
    form_vote(world, world.outsider)
    service_vote(world, world.outsider)
    assert not Participation.objects.filter(question=world.question).exists()
