"""A voting method added by a site (``CONSULT["VOTING_METHODS"]``) works
through the API, the page form and the page, and its ballot schema feeds
the API's OpenAPI schema: the method class is the whole contract."""

from __future__ import annotations

import pytest
from django.test import Client

from consult.api.schema import ballot_request
from consult.voting.tally import tally_payload
from tests import factories

API = "/consult/api/v1"


@pytest.fixture
def thumbs(db, settings):
    settings.CONSULT = {"VOTING_METHODS": ["tests.dummy_method.Thumbs"]}
    page = factories.make_consultation(questions=[{"title": "Like the plan?", "method": "thumbs"}])
    return factories.first_question(page)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_votes_through_the_api(thumbs):
    client = signed_in(factories.make_user())
    url = f"{API}/questions/{thumbs.pk}/ballot/"
    answer = client.post(url, {"thumb": "up"}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    refused = client.post(url, {"thumb": "sideways"}, content_type="application/json")
    assert refused.json()["code"] == "invalid_ballot"
    votes = {entry["key"]: entry["votes"] for entry in tally_payload(thumbs)["results"]}
    assert votes == {"up": 1, "down": 0}


def test_votes_through_the_page_form_and_shows_on_the_page(thumbs):
    client = signed_in(factories.make_user())
    response = client.post(f"/consult/questions/{thumbs.pk}/vote/", {f"q{thumbs.pk}-thumb": "down"})
    assert response.status_code == 302
    votes = {entry["key"]: entry["votes"] for entry in tally_payload(thumbs)["results"]}
    assert votes == {"up": 0, "down": 1}
    page = client.get(thumbs.page.url).content.decode()
    assert f'name="q{thumbs.pk}-thumb"' in page


def test_its_ballot_schema_is_in_the_api_schema(thumbs):
    schemas = {item["title"]: item for item in ballot_request()["application/json"]["oneOf"]}
    assert schemas["thumbs ballot"]["properties"] == {
        "thumb": {"type": "string", "enum": ["up", "down"]}
    }
    assert {"yes_no ballot", "single ballot", "ranked ballot"} <= set(schemas)


def test_the_page_script_posts_the_form_and_gets_json(thumbs):
    """The page script sends the form fields as they are: no per-method code."""
    client = signed_in(factories.make_user())
    url = f"/consult/questions/{thumbs.pk}/vote/"
    json = {"HTTP_ACCEPT": "application/json"}
    created = client.post(url, {f"q{thumbs.pk}-thumb": "up"}, **json)
    assert (created.status_code, created.json()["method"]) == (201, "thumbs")
    refused = client.post(url, {f"q{thumbs.pk}-thumb": "left"}, **json)
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_ballot")
    empty = client.post(url, {}, **json)
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid_ballot")
    withdrawn = client.post(f"/consult/questions/{thumbs.pk}/retract/", **json)
    assert withdrawn.status_code == 204
    assert tally_payload(thumbs)["ballots"] == 0
