from datetime import timedelta
from unittest.mock import ANY

import pytest
from django.test import Client
from django.utils import timezone

from consult.models import Ballot, Participation
from tests import factories

API = "/consult/api/v1"


@pytest.fixture
def client_for():
    def make(user=None, **kwargs):
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return make


def post_json(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == code
    assert body["detail"]
    return body


def test_consultation_list_and_filter(consultation, client):
    upcoming = factories.make_consultation(
        voting_open_at=timezone.now() + timedelta(days=3),
        voting_close_at=timezone.now() + timedelta(days=9),
    )

    everything = client.get(f"{API}/consultations/").json()["results"]
    voting = client.get(f"{API}/consultations/?status=voting").json()["results"]
    future = client.get(f"{API}/consultations/?status=upcoming").json()["results"]

    assert {item["id"] for item in everything} == {consultation.pk, upcoming.pk}
    assert [item["id"] for item in voting] == [consultation.pk]
    assert [item["id"] for item in future] == [upcoming.pk]
    assert voting[0]["status"] == "voting"
    assert voting[0]["url"].endswith(consultation.url)


def test_consultation_list_rejects_unknown_status(consultation, client):
    assert_error(client.get(f"{API}/consultations/?status=bogus"), 400, "invalid")


def test_unpublished_consultations_are_not_listed(consultation, client):
    consultation.unpublish()
    assert client.get(f"{API}/consultations/").json()["results"] == []
    assert_error(client.get(f"{API}/consultations/{consultation.pk}/"), 404, "not_found")


def test_consultation_detail_has_questions_and_options(consultation, client):
    body = client.get(f"{API}/consultations/{consultation.pk}/").json()

    assert body["id"] == consultation.pk
    assert body["ballot_secrecy"] == "secret"
    assert [q["method"] for q in body["questions"]] == ["yes_no", "single"]
    single = body["questions"][1]
    assert [o["label"] for o in single["options"]] == ["Green", "Hall", "Plaza"]
    assert set(single["options"][0]) == {"id", "label", "description", "cost"}
    assert "email" not in str(body)


def test_cast_replace_read_and_retract(single, citizen, client_for):
    client = client_for(citizen)
    public = single.page
    public.ballot_secrecy = "public"
    public.save()
    green, hall, _ = single.options.all()
    url = f"{API}/questions/{single.pk}/ballot/"

    assert_error(client.get(url), 404, "no_ballot")
    created = post_json(client, url, {"option": green.pk})
    replaced = post_json(client, url, {"option": hall.pk})
    read = client.get(url)

    assert created.status_code == 201
    receipt = created.json()["receipt"]
    assert created.json() == {
        "question": single.pk,
        "method": "single",
        "ballot": {"option": green.pk},
        "receipt": receipt,
    }
    assert len(receipt) == 32
    assert replaced.status_code == 200
    assert read.json()["ballot"] == {"option": hall.pk}
    # One receipt per voter and question, however often the ballot changes.
    assert replaced.json()["receipt"] == read.json()["receipt"] == receipt
    tally = client.get(f"{API}/questions/{single.pk}/tally/").json()
    assert {e["key"]: e["votes"] for e in tally["results"]}[str(hall.pk)] == 1
    assert tally["ballots"] == 1
    assert tally["version"] == 2

    deleted = client.delete(url)
    assert deleted.status_code == 204
    assert client.get(f"{API}/questions/{single.pk}/tally/").json()["ballots"] == 0
    assert not Participation.objects.exists()


def test_secret_ballot_is_never_read_back(yes_no, citizen, client_for):
    client = client_for(citizen)
    url = f"{API}/questions/{yes_no.pk}/ballot/"

    assert post_json(client, url, {"choice": "no"}).json()["ballot"] is None
    read = client.get(url).json()
    assert read == {"question": yes_no.pk, "method": "yes_no", "ballot": None, "receipt": ANY}
    assert len(read["receipt"]) == 32


def test_anonymous_cannot_vote(yes_no, client):
    url = f"{API}/questions/{yes_no.pk}/ballot/"
    assert_error(post_json(client, url, {"choice": "yes"}), 401, "not_authenticated")
    assert_error(client.get(url), 401, "not_authenticated")
    assert_error(client.delete(url), 401, "not_authenticated")


def test_unverified_email_is_not_eligible(yes_no, unverified, client_for):
    response = post_json(
        client_for(unverified), f"{API}/questions/{yes_no.pk}/ballot/", {"choice": "yes"}
    )
    assert_error(response, 403, "not_eligible")


def test_voting_phase_errors(yes_no, citizen, client_for):
    client = client_for(citizen)
    url = f"{API}/questions/{yes_no.pk}/ballot/"
    page = yes_no.page
    now = timezone.now()

    page.voting_open_at, page.voting_close_at = now + timedelta(days=1), now + timedelta(days=2)
    page.save()
    assert_error(post_json(client, url, {"choice": "yes"}), 409, "voting_not_open")

    page.voting_open_at, page.voting_close_at = now - timedelta(days=2), now - timedelta(days=1)
    page.save()
    assert_error(post_json(client, url, {"choice": "yes"}), 409, "voting_closed")
    assert not Ballot.objects.exists()


def test_already_voted(yes_no, citizen, client_for):
    page = yes_no.page
    page.allow_vote_change = False
    page.save()
    client = client_for(citizen)
    url = f"{API}/questions/{yes_no.pk}/ballot/"

    assert post_json(client, url, {"choice": "yes"}).status_code == 201
    assert_error(post_json(client, url, {"choice": "no"}), 409, "already_voted")


@pytest.mark.parametrize(
    "raw",
    [
        '{"choice": "perhaps"}',
        '{"option": 1}',
        "[]",
        '"yes"',
        "null",
        '{"choice": {"nested": true}}',
    ],
)
def test_invalid_ballot_bodies(yes_no, citizen, client_for, raw):
    client = client_for(citizen)
    response = client.post(
        f"{API}/questions/{yes_no.pk}/ballot/", raw, content_type="application/json"
    )
    body = assert_error(response, 400, "invalid_ballot")
    assert "choice" in body["detail"]


def test_malformed_json_and_wrong_media_type(yes_no, citizen, client_for):
    client = client_for(citizen)
    url = f"{API}/questions/{yes_no.pk}/ballot/"
    assert_error(client.post(url, "{not json", content_type="application/json"), 400, "parse_error")
    assert_error(
        client.post(url, "choice=yes", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )


def test_unknown_question_and_method(db, client):
    assert_error(client.get(f"{API}/questions/987654/tally/"), 404, "not_found")
    assert_error(client.put(f"{API}/consultations/"), 405, "method_not_allowed")


def test_session_writes_need_csrf(yes_no, citizen, client_for):
    client = client_for(citizen, enforce_csrf_checks=True)
    response = post_json(client, f"{API}/questions/{yes_no.pk}/ballot/", {"choice": "yes"})
    assert_error(response, 403, "permission_denied")
    assert not Ballot.objects.exists()

    client.get(yes_no.page.url)  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = post_json(
        client, f"{API}/questions/{yes_no.pk}/ballot/", {"choice": "yes"}, HTTP_X_CSRFTOKEN=token
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("visibility", "closed", "visible"),
    [
        ("live", False, True),
        ("after_close", False, False),
        ("after_close", True, True),
        ("hidden", True, False),
    ],
)
def test_tally_visibility(yes_no, client, visibility, closed, visible):
    page = yes_no.page
    page.results_visibility = visibility
    if closed:
        page.voting_close_at = timezone.now() - timedelta(minutes=1)
    page.save()

    response = client.get(f"{API}/questions/{yes_no.pk}/tally/")

    if visible:
        assert response.status_code == 200
        assert set(response.json()) >= {"question", "method", "version", "ballots", "results"}
    else:
        assert_error(response, 403, "results_hidden")


def test_ballot_writes_are_throttled(yes_no, citizen, client_for, settings):
    settings.CONSULT = {**settings.CONSULT, "THROTTLE_RATES": {"ballot": "2/minute"}}
    client = client_for(citizen)
    url = f"{API}/questions/{yes_no.pk}/ballot/"

    assert post_json(client, url, {"choice": "yes"}).status_code == 201
    assert post_json(client, url, {"choice": "no"}).status_code == 200
    third = post_json(client, url, {"choice": "abstain"})

    assert_error(third, 429, "throttled")
    assert int(third["Retry-After"]) > 0
    assert client.get(f"{API}/questions/{yes_no.pk}/tally/").status_code == 200


def test_schema_lists_only_consult_endpoints(client):
    response = client.get(f"{API}/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    prefix = "/consult/api/v1/"
    assert set(paths) == {
        prefix + path
        for path in [
            "consultations/",
            "consultations/{page_id}/",
            "questions/{question_id}/tally/",
            "questions/{question_id}/ballot/",
            "consultations/{page_id}/proposals/",
            "proposals/{proposal_id}/",
            "proposals/{proposal_id}/support/",
            "proposals/{proposal_id}/report/",
            "consultations/{page_id}/comments/",
            "comments/{comment_id}/",
            "comments/{comment_id}/report/",
            "categories/",
            "consultations/{page_id}/eligibility/",
            "consultations/{page_id}/code-login/",
            "me/data/",
            "me/",
            "questions/{question_id}/log/",
            "receipts/{receipt}/",
            "consultations/{page_id}/results.zip",
            "keys/",
            "consultations/{page_id}/follow/",
            "proposals/{proposal_id}/follow/",
            "notifications/",
            "notifications/read/",
            "notifications/preferences/",
        ]
    }
    assert set(paths["/consult/api/v1/questions/{question_id}/ballot/"]) == {
        "get",
        "post",
        "delete",
    }
