"""Rate limits: the same buckets for the API and the page forms, per user and
per IP address, for proposals, comments, supports and reports."""

import json

import pytest
from django.test import Client, RequestFactory

from consult.models import Comment, Proposal, Report, Support
from consult.ratelimit import check_rate, parse_rate
from tests import factories

pytestmark = pytest.mark.django_db

API = "/consult/api/v1"


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="post")


def signed_in(user, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_parse_rate():
    assert parse_rate("30/minute") == (30, 60)
    assert parse_rate("2/s") == (2, 1)
    assert parse_rate("10/hour") == (10, 3600)
    assert parse_rate("1/day") == (1, 86400)


def test_check_rate_counts_only_what_it_allows(citizen, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"comment": "2/minute"}, "THROTTLE_IP_RATES": {}}
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.1.1")
    request.user = citizen
    assert check_rate("comment", request) is None
    assert check_rate("comment", request) is None
    wait = check_rate("comment", request)
    assert wait is not None and 0 < wait <= 60
    assert check_rate("comment", request) is not None  # still refused, not counted up
    assert check_rate("unknown-scope", request) is None


def test_api_and_form_share_the_comment_limit(page, citizen, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"comment": "2/minute"}}
    client = signed_in(citizen)
    assert (
        post_json(client, f"{API}/consultations/{page.pk}/comments/", {"body": "1"}).status_code
        == 201
    )
    form = client.post(f"{page.url}comments/", {"body": "2", "next": page.url})
    assert form.status_code == 302
    refused = client.post(f"{page.url}comments/", {"body": "3", "next": page.url}, follow=True)
    assert "Too many requests" in refused.content.decode()
    assert ">3</textarea>" in refused.content.decode()  # the text is kept
    assert_throttled(post_json(client, f"{API}/consultations/{page.pk}/comments/", {"body": "4"}))
    assert Comment.objects.count() == 2
    assert (
        client.get(f"{API}/consultations/{page.pk}/comments/").status_code == 200
    )  # reads are free


def test_proposal_limit_on_the_form_page(page, citizen, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"proposal": "1/hour"}}
    client = signed_in(citizen)
    assert client.post(f"{page.url}proposals/new/", {"title": "A", "body": "a"}).status_code == 302
    refused = client.post(f"{page.url}proposals/new/", {"title": "B", "body": "Kept body"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert "Kept body" in refused.content.decode()
    assert_throttled(
        post_json(client, f"{API}/consultations/{page.pk}/proposals/", {"title": "C", "body": "c"})
    )
    assert Proposal.objects.count() == 1


def test_support_and_report_limits(page, citizen, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"support": "2/minute", "report": "1/minute"}}
    client = signed_in(citizen)
    proposal = factories.make_proposal(page)
    url = f"{page.url}proposals/{proposal.pk}/"
    client.post(f"{url}support/", {"action": "support"})
    assert client.delete(f"{API}/proposals/{proposal.pk}/support/").status_code == 200
    assert_throttled(client.post(f"{API}/proposals/{proposal.pk}/support/"))
    refused = client.post(f"{url}support/", {"action": "support"}, follow=True)
    assert "Too many requests" in refused.content.decode()
    assert not Support.objects.exists()

    comments = [factories.make_comment(page) for _ in range(2)]
    assert (
        post_json(
            client, f"{API}/comments/{comments[0].pk}/report/", {"reason": "spam"}
        ).status_code
        == 201
    )
    refused = client.post(
        f"{page.url}comments/{comments[1].pk}/report/", {"reason": "spam"}, follow=True
    )
    assert "Too many requests" in refused.content.decode()
    assert Report.objects.count() == 1


def test_per_ip_limit_across_accounts(page, settings):
    settings.CONSULT = {
        "THROTTLE_RATES": {"comment": "100/minute"},
        "THROTTLE_IP_RATES": {"comment": "2/minute"},
    }
    url = f"{API}/consultations/{page.pk}/comments/"
    users = [factories.make_user() for _ in range(3)]
    assert post_json(signed_in(users[0]), url, {"body": "a"}).status_code == 201
    assert post_json(signed_in(users[1]), url, {"body": "b"}).status_code == 201
    assert_throttled(post_json(signed_in(users[2]), url, {"body": "c"}))
    # Another address is not held back.
    assert post_json(signed_in(users[2], ip="10.0.0.2"), url, {"body": "d"}).status_code == 201


def test_anonymous_writes_are_limited_per_ip(page, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"comment": "1/minute"}}
    client = Client(REMOTE_ADDR="10.9.9.9")
    url = f"{API}/consultations/{page.pk}/comments/"
    assert post_json(client, url, {"body": "x"}).status_code == 401
    assert_throttled(post_json(client, url, {"body": "x"}))


def test_limits_can_be_switched_off(page, citizen, settings):
    settings.CONSULT = {
        "THROTTLE_RATES": {"comment": None},
        "THROTTLE_IP_RATES": {"comment": None},
    }
    client = signed_in(citizen)
    for n in range(40):
        response = post_json(client, f"{API}/consultations/{page.pk}/comments/", {"body": str(n)})
        assert response.status_code == 201
