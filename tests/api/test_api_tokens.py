"""Personal API tokens: the account page and token authentication."""

import pytest
from django.test import Client

from consult.models import ApiToken, Ballot
from tests import factories

API = "/consult/api/v1"


@pytest.fixture
def logged_in(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def create_token(client, scope="write", name="my app"):
    response = client.post("/consult/account/tokens/", {"name": name, "scope": scope})
    assert response.status_code == 201
    return response.context["new_key"]


def test_token_page_needs_login(db, client):
    response = client.get("/consult/account/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_create_shows_key_once_and_stores_only_its_hash(citizen, logged_in):
    key = create_token(logged_in)

    token = ApiToken.objects.get(user=citizen)
    assert key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)
    listing = logged_in.get("/consult/account/tokens/").content.decode()
    assert "my app" in listing and token.prefix in listing
    assert key not in listing


def test_write_token_casts_a_ballot_without_csrf(yes_no, citizen, logged_in):
    key = create_token(logged_in)
    api = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {key}")

    response = api.post(
        f"{API}/questions/{yes_no.pk}/ballot/", {"choice": "yes"}, content_type="application/json"
    )

    assert response.status_code == 201
    assert Ballot.objects.filter(question=yes_no).count() == 1
    assert ApiToken.objects.get(user=citizen).last_used_at is not None


def test_read_token_cannot_write(yes_no, logged_in):
    key = create_token(logged_in, scope="read")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")

    read = api.get(f"{API}/questions/{yes_no.pk}/tally/")
    write = api.post(
        f"{API}/questions/{yes_no.pk}/ballot/", {"choice": "yes"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["code"] == "permission_denied"
    assert "read-only" in write.json()["detail"]
    assert not Ballot.objects.exists()


def test_revoked_or_bogus_tokens_are_refused(yes_no, citizen, logged_in):
    key = create_token(logged_in)
    token = ApiToken.objects.get(user=citizen)
    revoke = logged_in.post(f"/consult/account/tokens/{token.pk}/revoke/", follow=True)
    assert "was revoked" in revoke.content.decode()

    for header in (f"Token {key}", "Token nonsense", "Token", "Token a b", "Token \u00e9"):
        response = Client(HTTP_AUTHORIZATION=header).get(f"{API}/consultations/")
        assert response.status_code == 401, header
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Token")


def test_cannot_revoke_someone_elses_token(citizen, logged_in):
    other = factories.make_user()
    token, _key = ApiToken.issue(other, "theirs", "write")
    assert logged_in.post(f"/consult/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_invalid_form_and_limit(citizen, logged_in):
    assert (
        logged_in.post("/consult/account/tokens/", {"name": "", "scope": "write"}).status_code
        == 200
    )
    assert (
        logged_in.post("/consult/account/tokens/", {"name": "x", "scope": "root"}).status_code
        == 200
    )
    for n in range(20):
        ApiToken.issue(citizen, f"t{n}", "read")
    response = logged_in.post("/consult/account/tokens/", {"name": "one more", "scope": "read"})
    assert response.status_code == 200
    assert "too many tokens" in response.content.decode()
    assert ApiToken.objects.filter(user=citizen).count() == 20
