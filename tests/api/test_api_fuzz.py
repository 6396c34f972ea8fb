"""Schemathesis fuzzes every endpoint of the served schema, anonymous and
with a write token: no input may produce a 500 or a response that breaks the
schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from consult.models import ApiToken
from consult.voting import services
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    # Schemathesis calls the WSGI app directly, not through Django's test
    # client, so the app would close the test's database connection after
    # each request; the test client avoids that the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi(
        "/consult/api/v1/schema/?format=json", get_wsgi_application()
    )
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def world(db):
    """Something for the fuzzer to find: consultations with low ids and ballots."""
    page = factories.make_consultation(
        questions=[
            {"title": "Yes?", "method": "yes_no"},
            {"title": "Which?", "method": "single", "options": ["A", "B"]},
        ]
    )
    voter = factories.make_user()
    for question in page.questions.select_related("page"):
        body = (
            {"choice": "yes"}
            if question.method == "yes_no"
            else {"option": question.options.first().pk}
        )
        services.cast_ballot(voter, question, body)
    _token, key = ApiToken.issue(voter, "fuzz", "write")
    return {"Authorization": f"Token {key}"}


FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_anonymous(case, world):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_with_write_token(case, world):
    case.call_and_validate(headers=world, checks=CHECKS)
