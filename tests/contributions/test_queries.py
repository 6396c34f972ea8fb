"""Query budgets: pages and lists cost the same number of queries with 5 or
with 500 proposals and 50 or 5,000 comments (everything they show is joined,
annotated or read in one query and nested in Python)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db

#: Upper bounds, whatever the data (sessions and page routing included).
BUDGET = {"page": 30, "list": 20, "detail": 25, "api": 12, "admin": 40}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


@pytest.fixture
def sites(db):
    small = factories.make_proposal_consultation(moderation="post", support_threshold=10)
    large = factories.make_proposal_consultation(moderation="post", support_threshold=10)
    return {
        "small": (small, factories.seed_contributions(small, 5, 50)),
        "large": (large, factories.seed_contributions(large, 500, 5000)),
    }


def urls(page, seeded):
    commented = next(c.proposal for c in seeded["comments"] if c.proposal_id)
    return {
        "page": page.url,
        "list": f"{page.url}proposals/?sort=supports",
        "detail": f"{page.url}proposals/{commented.pk}/",
        "api": f"/consult/api/v1/consultations/{page.pk}/comments/?page_size=100",
        "api-proposals": f"/consult/api/v1/consultations/{page.pk}/proposals/?page_size=100",
        "admin": "/admin/consult/comments/",
    }


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "citizen"])
def test_constant_queries(sites, signed_in, django_assert_max_num_queries):
    client = Client()
    if signed_in:
        client.force_login(sites["large"][1]["users"][0])
    counts = {}
    for page, seeded in sites.values():  # warm the caches (site root paths, ...)
        for name, url in urls(page, seeded).items():
            if name != "admin":
                client.get(url)
    for size, (page, seeded) in sites.items():
        for name, url in urls(page, seeded).items():
            if name == "admin":
                continue
            counts[size, name] = queries(client, url)
    for name in ("page", "list", "detail", "api", "api-proposals"):
        assert counts["small", name] == counts["large", name], (name, counts)
    page, seeded = sites["large"]
    for name, url in urls(page, seeded).items():
        if name in BUDGET:
            with django_assert_max_num_queries(
                BUDGET[name] if name != "admin" else BUDGET["admin"]
            ):
                if name == "admin":
                    moderator = factories.make_moderator()
                    admin = Client()
                    admin.force_login(moderator)
                    admin.get(url)
                else:
                    client.get(url)


def test_large_consultation_page_shows_its_threads(sites):
    page, seeded = sites["large"]
    html = Client().get(page.url).content.decode()
    assert "Page 1 of" in html
    assert html.count('class="consult-comment"') >= 20


def test_admin_queue_is_constant(sites):
    moderator = factories.make_moderator()
    client = Client()
    client.force_login(moderator)
    small = queries(client, "/admin/consult/proposals/?page=1")
    for page, _seeded in sites.values():
        assert queries(client, f"/admin/consult/proposals/?page={page.pk}") <= BUDGET["admin"]
    assert queries(client, "/admin/consult/comments/") <= BUDGET["admin"]
    assert small <= BUDGET["admin"]
