"""The proposal, support, comment and report endpoints: every success and
every error code each can return, and malformed input (never a 500)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consult.models import Comment, Proposal, Report, Support
from tests import factories

pytestmark = pytest.mark.django_db

API = "/consult/api/v1"


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="post", support_threshold=2)


@pytest.fixture
def client_for():
    def make(user=None, **kwargs):
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api(citizen, client_for):
    return client_for(citizen)


def send(client, method, url, data=None, raw=None):
    body = raw if raw is not None else json.dumps(data if data is not None else {})
    return getattr(client, method)(url, body, content_type="application/json")


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == code and body["detail"]
    return body


# ------------------------------------------------------------------ proposals


def test_submit_and_read_a_proposal(page, api, citizen):
    category = factories.make_category("Mobility", slug="mobility")
    response = send(
        api,
        "post",
        f"{API}/consultations/{page.pk}/proposals/",
        {
            "title": "Bike lanes",
            "body": "On Main Street.\n\nSee https://example.org",
            "category": category.pk,
            "latitude": 48.1,
            "longitude": 11.5,
            "unknown": "ignored",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "published"
    assert body["category"] == {"id": category.pk, "name": "Mobility", "slug": "mobility"}
    assert body["location"] == {"latitude": 48.1, "longitude": 11.5}
    assert body["author"] == citizen.username
    assert body["supports"] == 0 and body["reached_threshold"] is False
    assert '<a href="https://example.org"' in body["body_html"]
    assert body["url"].endswith(f"{page.url}proposals/{body['id']}/")
    assert set(body) >= {
        "id",
        "title",
        "body",
        "status",
        "category",
        "supports",
        "author",
        "created_at",
    }
    assert "@" not in json.dumps(body)

    read = api.get(f"{API}/proposals/{body['id']}/")
    assert read.json()["title"] == "Bike lanes"


def test_list_published_and_own_pending(page, citizen, client_for):
    own_pending = factories.make_proposal(page, author=citizen, status="pending")
    factories.make_proposal(page, status="pending")  # someone else's
    published = factories.make_proposal(page, supports=5)
    for status in ("rejected", "hidden", "withdrawn"):
        factories.make_proposal(page, status=status)

    mine = client_for(citizen).get(f"{API}/consultations/{page.pk}/proposals/").json()
    anonymous = client_for().get(f"{API}/consultations/{page.pk}/proposals/").json()

    assert {item["id"] for item in mine["results"]} == {own_pending.pk, published.pk}
    assert [item["id"] for item in anonymous["results"]] == [published.pk]
    assert anonymous["count"] == 1 and anonymous["next"] is None
    assert anonymous["results"][0]["reached_threshold"] is True


def test_list_filters_sorting_and_pagination(page, client_for):
    mobility = factories.make_category("Mobility", slug="mobility")
    old = factories.make_proposal(page, supports=9, category=mobility)
    new = factories.make_proposal(page, supports=1, answer="Yes", answered_at=timezone.now())
    Proposal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    client = client_for()
    url = f"{API}/consultations/{page.pk}/proposals/"

    assert [p["id"] for p in client.get(url).json()["results"]] == [new.pk, old.pk]
    assert [p["id"] for p in client.get(f"{url}?ordering=supports").json()["results"]] == [
        old.pk,
        new.pk,
    ]
    assert [p["id"] for p in client.get(f"{url}?category=mobility").json()["results"]] == [old.pk]
    assert [p["id"] for p in client.get(f"{url}?category={mobility.pk}").json()["results"]] == [
        old.pk
    ]
    assert [p["id"] for p in client.get(f"{url}?status=answered").json()["results"]] == [new.pk]
    first = client.get(f"{url}?page_size=1").json()
    assert first["count"] == 2 and first["next"] and len(first["results"]) == 1
    assert client.get(f"{url}?page_size=1&page=2").json()["results"][0]["id"] == old.pk
    error(client.get(f"{url}?page=99"), 404, "not_found")
    error(client.get(f"{url}?status=bogus"), 400, "invalid")
    error(client.get(f"{url}?ordering=-id"), 400, "invalid")


def test_proposal_errors(page, api, client_for, unverified):
    url = f"{API}/consultations/{page.pk}/proposals/"
    error(send(client_for(), "post", url, {"title": "t", "body": "b"}), 401, "not_authenticated")
    error(
        send(client_for(unverified), "post", url, {"title": "t", "body": "b"}), 403, "not_eligible"
    )
    error(send(api, "post", url, {"title": "t"}), 400, "invalid")
    error(send(api, "post", url, {}), 400, "invalid")
    error(send(api, "post", f"{API}/consultations/987654/proposals/", {}), 404, "not_found")
    error(api.get(f"{API}/consultations/987654/proposals/"), 404, "not_found")
    error(api.put(url, "{}", content_type="application/json"), 405, "method_not_allowed")
    page.proposals_close_at = timezone.now() - timedelta(seconds=1)
    page.save()
    error(send(api, "post", url, {"title": "t", "body": "b"}), 409, "proposals_closed")
    assert not Proposal.objects.exists()


def test_unpublished_consultation_is_not_found(page, api):
    factories.make_proposal(page)
    page.unpublish()
    error(api.get(f"{API}/consultations/{page.pk}/proposals/"), 404, "not_found")


@pytest.mark.parametrize(
    "raw",
    [
        "[]",
        '"text"',
        "null",
        "42",
        '{"title": ["a"], "body": "b"}',
        '{"title": "a", "body": {"x": 1}}',
        '{"title": "a", "body": "b", "latitude": "north", "longitude": 1}',
        '{"title": "a", "body": "b", "latitude": 1e400, "longitude": 1}',
        '{"title": "a", "body": "b", "latitude": 1}',
        '{"title": "a", "body": "b", "category": 1.5}',
        '{"title": "a", "body": "b", "category": 99999999999999999999999999}',
        '{"title": "a", "body": "b", "category": "-1"}',
        '{"title": "a", "body": "b", "category": true}',
        '{"title": "\\u0000", "body": "b"}',
    ],
)
def test_malformed_proposal_bodies(page, api, raw):
    response = api.post(
        f"{API}/consultations/{page.pk}/proposals/", raw, content_type="application/json"
    )
    error(response, 400, "invalid")
    assert not Proposal.objects.exists()


def test_malformed_json_and_media_type(page, api):
    url = f"{API}/consultations/{page.pk}/proposals/"
    error(api.post(url, "{oops", content_type="application/json"), 400, "parse_error")
    error(api.post(url, "NaN", content_type="application/json"), 400, "parse_error")
    error(
        api.post(url, "title=x", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )


def test_huge_ids_in_urls_are_not_found(api):
    error(api.get(f"{API}/proposals/99999999999999999999999/"), 404, "not_found")
    error(api.get(f"{API}/consultations/99999999999999999999999/comments/"), 404, "not_found")


def test_edit_own_pending_proposal(page, citizen, api, client_for):
    page.moderation = "pre"
    page.save()
    proposal = factories.make_proposal(page, author=citizen, status="pending")
    url = f"{API}/proposals/{proposal.pk}/"

    edited = send(api, "patch", url, {"title": "Better title", "latitude": 1, "longitude": 2})
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Better title"
    assert edited.json()["location"] == {"latitude": 1.0, "longitude": 2.0}
    error(send(client_for(), "patch", url, {"title": "x"}), 404, "not_found")  # invisible
    error(send(api, "patch", url, {"title": ""}), 400, "invalid")
    error(send(api, "patch", url, raw="[1]"), 400, "invalid")
    Proposal.objects.filter(pk=proposal.pk).update(status="published")
    error(send(api, "patch", url, {"title": "x"}), 409, "not_editable")
    error(
        send(client_for(factories.make_user()), "patch", url, {"title": "x"}),
        403,
        "permission_denied",
    )


def test_edit_after_the_phase(page, citizen, api):
    proposal = factories.make_proposal(page, author=citizen, status="pending")
    page.proposals_close_at = timezone.now() - timedelta(seconds=1)
    page.save()
    error(
        send(api, "patch", f"{API}/proposals/{proposal.pk}/", {"title": "x"}),
        409,
        "proposals_closed",
    )


def test_withdraw_proposal(page, citizen, api, client_for):
    proposal = factories.make_proposal(page, author=citizen)
    url = f"{API}/proposals/{proposal.pk}/"
    error(client_for().delete(url), 401, "not_authenticated")
    error(client_for(factories.make_user()).delete(url), 403, "permission_denied")
    assert api.delete(url).status_code == 204
    assert Proposal.objects.get(pk=proposal.pk).status == "withdrawn"
    assert api.get(url).json()["status"] == "withdrawn"  # the author still sees it
    error(client_for().get(url), 404, "not_found")  # nobody else does
    error(api.delete(url), 409, "not_editable")


# ------------------------------------------------------------------ supports


def test_support_and_withdraw_support(page, api):
    proposal = factories.make_proposal(page)
    url = f"{API}/proposals/{proposal.pk}/support/"

    created = api.post(url)
    again = api.post(url)
    assert created.status_code == 201 and again.status_code == 200
    assert created.json() == {
        "proposal": proposal.pk,
        "supports": 1,
        "supported": True,
        "reached_threshold": False,
    }
    assert api.get(f"{API}/proposals/{proposal.pk}/").json()["supported"] is True
    withdrawn = api.delete(url)
    assert withdrawn.status_code == 200 and withdrawn.json()["supports"] == 0
    error(api.delete(url), 404, "no_support")
    assert not Support.objects.exists()


def test_support_errors(page, api, client_for, unverified):
    proposal = factories.make_proposal(page)
    url = f"{API}/proposals/{proposal.pk}/support/"
    error(client_for().post(url), 401, "not_authenticated")
    error(client_for(unverified).post(url), 403, "not_eligible")
    error(api.post(f"{API}/proposals/987654/support/"), 404, "not_found")
    own_pending = factories.make_proposal(page, status="pending", author=factories.make_user())
    error(api.post(f"{API}/proposals/{own_pending.pk}/support/"), 404, "not_found")
    page.proposals_close_at = timezone.now() - timedelta(seconds=1)
    page.save()
    error(api.post(url), 409, "proposals_closed")


def test_author_cannot_support_own_pending_proposal(page, citizen, api):
    pending = factories.make_proposal(page, status="pending", author=citizen)
    error(api.post(f"{API}/proposals/{pending.pk}/support/"), 409, "not_published")


def test_support_reaches_threshold(page, client_for):
    proposal = factories.make_proposal(page)
    url = f"{API}/proposals/{proposal.pk}/support/"
    client_for(factories.make_user()).post(url)
    second = client_for(factories.make_user()).post(url).json()
    assert second["reached_threshold"] is True
    listed = client_for().get(f"{API}/consultations/{page.pk}/proposals/").json()["results"]
    assert listed[0]["reached_threshold"] is True and listed[0]["supports"] == 2


# ------------------------------------------------------------------ comments


def test_post_list_edit_delete_comments(page, citizen, api, client_for):
    proposal = factories.make_proposal(page)
    url = f"{API}/consultations/{page.pk}/comments/"

    top = send(api, "post", url, {"body": "Nice", "stance": "for"})
    assert top.status_code == 201, top.content
    top = top.json()
    reply = send(api, "post", url, {"body": "Reply", "parent": top["id"]}).json()
    on_proposal = send(api, "post", url, {"body": "About it", "proposal": proposal.pk}).json()
    assert top["stance"] == "for" and top["parent"] is None and top["depth"] == 1
    assert reply["parent"] == top["id"] and reply["stance"] == "neutral"
    assert on_proposal["proposal"] == proposal.pk
    assert set(top) >= {
        "id",
        "body",
        "stance",
        "parent",
        "proposal",
        "status",
        "author",
        "created_at",
    }

    listed = client_for().get(url).json()
    assert [c["id"] for c in listed["results"]] == [top["id"], reply["id"], on_proposal["id"]]
    only_page = client_for().get(f"{url}?proposal=none").json()["results"]
    assert [c["id"] for c in only_page] == [top["id"], reply["id"]]
    only_proposal = client_for().get(f"{url}?proposal={proposal.pk}").json()["results"]
    assert [c["id"] for c in only_proposal] == [on_proposal["id"]]
    newer = client_for().get(f"{url}?after={reply['id']}").json()["results"]
    assert [c["id"] for c in newer] == [on_proposal["id"]]

    comment_url = f"{API}/comments/{top['id']}/"
    edited = send(api, "patch", comment_url, {"body": "Very nice", "stance": "against"})
    assert edited.status_code == 200 and edited.json()["body"] == "Very nice"
    assert edited.json()["edited_at"]
    assert api.get(comment_url).json()["stance"] == "against"
    assert api.delete(comment_url).status_code == 204
    removed = client_for().get(comment_url).json()
    assert removed["deleted"] is True and removed["body"] == "" and removed["author"] == ""
    assert Comment.objects.get(pk=reply["id"]).parent_id == top["id"]


def test_list_shows_own_pending_only(page, citizen, client_for):
    page.moderation = "pre"
    page.save()
    mine = factories.make_comment(page, author=citizen, status="pending")
    factories.make_comment(page, status="pending")
    published = factories.make_comment(page)
    factories.make_comment(page, status="hidden")
    url = f"{API}/consultations/{page.pk}/comments/"
    assert {c["id"] for c in client_for(citizen).get(url).json()["results"]} == {
        mine.pk,
        published.pk,
    }
    assert [c["id"] for c in client_for().get(url).json()["results"]] == [published.pk]


def test_comment_errors(page, api, client_for, unverified, settings):
    url = f"{API}/consultations/{page.pk}/comments/"
    error(send(client_for(), "post", url, {"body": "x"}), 401, "not_authenticated")
    error(send(client_for(unverified), "post", url, {"body": "x"}), 403, "not_eligible")
    error(send(api, "post", url, {"body": ""}), 400, "invalid")
    error(send(api, "post", url, {"body": "x", "stance": "maybe"}), 400, "invalid")
    error(send(api, "post", url, {"body": "x", "parent": 987654}), 400, "invalid")
    error(send(api, "post", url, {"body": "x", "proposal": "abc"}), 400, "invalid")
    error(send(api, "post", url, raw='["body"]'), 400, "invalid")
    error(api.get(f"{url}?after=abc"), 400, "invalid")
    error(api.get(f"{url}?proposal=-3"), 400, "invalid")
    settings.CONSULT = {"COMMENT_MAX_LENGTH": 5}
    error(send(api, "post", url, {"body": "too long"}), 400, "invalid")
    page.comments_enabled = False
    page.save()
    error(send(api, "post", url, {"body": "x"}), 409, "comments_disabled")
    assert not Comment.objects.exists()


def test_comment_edit_and_delete_errors(page, citizen, api, client_for, settings):
    comment = factories.make_comment(page, author=citizen)
    url = f"{API}/comments/{comment.pk}/"
    error(send(client_for(), "patch", url, {"body": "x"}), 401, "not_authenticated")
    error(
        send(client_for(factories.make_user()), "patch", url, {"body": "x"}),
        403,
        "permission_denied",
    )
    error(client_for(factories.make_user()).delete(url), 403, "permission_denied")
    error(send(api, "patch", url, {"body": ""}), 400, "invalid")
    settings.CONSULT = {"COMMENT_EDIT_WINDOW": 0}
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(seconds=5))
    error(send(api, "patch", url, {"body": "late"}), 409, "not_editable")
    error(api.get(f"{API}/comments/987654/"), 404, "not_found")
    hidden = factories.make_comment(page, status="hidden", author=citizen)
    error(api.get(f"{API}/comments/{hidden.pk}/"), 404, "not_found")


# ------------------------------------------------------------------- reports


def test_reports(page, api, client_for):
    comment = factories.make_comment(page)
    proposal = factories.make_proposal(page)
    comment_url = f"{API}/comments/{comment.pk}/report/"
    proposal_url = f"{API}/proposals/{proposal.pk}/report/"

    created = send(api, "post", comment_url, {"reason": "spam"})
    assert created.status_code == 201 and created.json()["reason"] == "spam"
    assert send(api, "post", proposal_url, {"reason": "other", "details": "Off"}).status_code == 201
    error(send(api, "post", comment_url, {"reason": "spam"}), 409, "already_reported")
    error(send(api, "post", proposal_url, {"reason": "spam"}), 409, "already_reported")
    error(send(client_for(), "post", comment_url, {"reason": "spam"}), 401, "not_authenticated")
    other = factories.make_comment(page)
    error(
        send(api, "post", f"{API}/comments/{other.pk}/report/", {"reason": "bogus"}), 400, "invalid"
    )
    error(
        send(api, "post", f"{API}/comments/{other.pk}/report/", {"reason": "other"}), 400, "invalid"
    )
    error(send(api, "post", f"{API}/comments/{other.pk}/report/", raw="7"), 400, "invalid")
    error(send(api, "post", f"{API}/comments/987654/report/", {"reason": "spam"}), 404, "not_found")
    assert Report.objects.count() == 2


def test_categories(client_for):
    factories.make_category("Parks", slug="parks")
    body = client_for().get(f"{API}/categories/").json()
    assert [c["slug"] for c in body] == ["parks"]


def test_session_writes_need_csrf(page, citizen, client_for):
    client = client_for(citizen, enforce_csrf_checks=True)
    response = send(client, "post", f"{API}/consultations/{page.pk}/comments/", {"body": "x"})
    error(response, 403, "permission_denied")


def test_responses_escape_markup_characters(page, api):
    factories.make_comment(page, body="<b>&</b>")
    raw = api.get(f"{API}/consultations/{page.pk}/comments/").content
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert (
        api.get(f"{API}/consultations/{page.pk}/comments/").json()["results"][0]["body"]
        == "<b>&</b>"
    )


def test_schema_documents_the_contribution_endpoints(client):
    paths = client.get(f"{API}/schema/?format=json").json()["paths"]
    assert set(
        paths[f"{API}/consultations/{{page_id}}/proposals/".replace(API, "/consult/api/v1")]
    ) >= {
        "get",
        "post",
    }
    assert set(paths["/consult/api/v1/proposals/{proposal_id}/"]) >= {"get", "patch", "delete"}
    assert set(paths["/consult/api/v1/proposals/{proposal_id}/support/"]) == {"post", "delete"}
    assert set(paths["/consult/api/v1/comments/{comment_id}/"]) >= {"patch", "delete"}
    assert "post" in paths["/consult/api/v1/comments/{comment_id}/report/"]
    assert "post" in paths["/consult/api/v1/proposals/{proposal_id}/report/"]
    assert set(paths["/consult/api/v1/consultations/{page_id}/comments/"]) >= {"get", "post"}


WEIRD_VALUES = [
    None,
    True,
    0,
    -1,
    2**64,
    1.5,
    "",
    "x" * 20000,
    "\u0000",
    "١٢",
    [],
    [1, 2],
    {},
    {"id": 1},
]


def test_no_input_yields_a_500(page, citizen, client_for, settings):
    """Every write endpoint, every field, odd JSON values: always a 4xx or a 2xx."""
    off = dict.fromkeys(("proposal", "comment", "report", "support"))
    settings.CONSULT = {"THROTTLE_RATES": off, "THROTTLE_IP_RATES": off}
    page.moderation = "pre"
    page.save()
    api = client_for(citizen)
    proposal = factories.make_proposal(page, author=citizen, status="pending")
    published = factories.make_proposal(page)
    comment = factories.make_comment(page, author=citizen)
    endpoints = [
        (
            "post",
            f"{API}/consultations/{page.pk}/proposals/",
            ("title", "body", "category", "latitude", "longitude"),
        ),
        (
            "patch",
            f"{API}/proposals/{proposal.pk}/",
            ("title", "body", "category", "latitude", "longitude"),
        ),
        (
            "post",
            f"{API}/consultations/{page.pk}/comments/",
            ("body", "stance", "parent", "proposal"),
        ),
        ("patch", f"{API}/comments/{comment.pk}/", ("body", "stance")),
        ("post", f"{API}/proposals/{published.pk}/report/", ("reason", "details")),
        ("post", f"{API}/comments/{comment.pk}/report/", ("reason", "details")),
    ]
    valid = {"title": "t", "body": "b", "reason": "spam", "stance": "for"}
    for method, url, fields in endpoints:
        for field in fields:
            for value in WEIRD_VALUES:
                data = {name: valid.get(name, None) for name in fields if name in valid}
                data[field] = value
                response = send(api, method, url, data)
                assert response.status_code < 500, (method, url, field, value, response.content)
                assert response.status_code != 429
                if response.status_code >= 400:
                    assert set(response.json()) == {"code", "detail"}
                Report.objects.all().delete()  # so every report attempt is judged afresh
    for url in (f"{API}/proposals/{published.pk}/support/",):
        for raw in ("", "null", "[]", "{bad"):
            assert api.post(url, raw, content_type="application/json").status_code < 500
