"""Conditional tally reads, the status filter, the schema and the docs page."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from consult.api.schema import ConsultSchemaGenerator
from consult.models import ConsultationPage
from consult.models.pages import status_q
from consult.voting import services
from tests import factories

API = "/consult/api/v1"


def test_tally_etag_and_conditional_get(yes_no, citizen, client):
    url = f"{API}/questions/{yes_no.pk}/tally/"
    first = client.get(url)
    etag = first["ETag"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200 and "no-cache" in first["Cache-Control"]
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["ballots"] == 1


def test_status_filter_matches_the_status_property(db):
    """Every combination of phases: the SQL filter agrees with ``status``."""
    now = timezone.now()
    moments = [None, now - timedelta(days=2), now - timedelta(hours=1), now + timedelta(days=2)]
    index = factories.make_index()
    pages = []
    for n, (po, pc, vo, vc) in enumerate(itertools.product(moments, repeat=4)):
        page = ConsultationPage(
            title=f"p{n}",
            slug=f"p{n}",
            proposals_open_at=po,
            proposals_close_at=pc,
            voting_open_at=vo,
            voting_close_at=vc,
        )
        index.add_child(instance=page)
        pages.append(page)

    for status in ("upcoming", "proposals", "voting", "closed"):
        by_sql = set(
            ConsultationPage.objects.filter(status_q(status, now)).values_list("pk", flat=True)
        )
        by_python = {page.pk for page in pages if page.status_at(now) == status}
        assert by_sql == by_python, status


def test_pagination(db, client):
    index = factories.make_index()
    for _ in range(3):
        factories.make_consultation(index)
    first = client.get(f"{API}/consultations/?page_size=2").json()
    second = client.get(first["next"]).json()
    assert first["count"] == 3
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next"] is None


def test_schema_is_valid_and_generates_without_warnings(db):
    GENERATOR_STATS.reset()
    schema = ConsultSchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache, GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache, GENERATOR_STATS._error_cache
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_uses_only_packaged_assets(db, client):
    html = client.get(f"{API}/docs/").content.decode()
    bundle = client.get(f"{API}/docs/assets/swagger-ui-bundle.js")

    assert "docs/assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert bundle.status_code == 200
    assert bundle["Content-Type"] in {"text/javascript", "application/javascript"}
    assert client.get(f"{API}/docs/assets/..%2Fsecrets.py").status_code == 404
    assert client.get(f"{API}/docs/assets/swagger-ui.css.map").status_code == 404


@pytest.mark.parametrize("path", ["nothing/", "questions/abc/tally/", "questions/1/tally"])
def test_unknown_api_paths_answer_in_json(db, client, path):
    response = client.post(f"{API}/{path}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
