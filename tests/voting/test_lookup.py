"""The ballot path's own SQL: one query loads what a ballot's rules read, and
a ballot through the API stays within its statement budget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consult import permissions, privacy
from consult.actor import Actor
from consult.exceptions import EmailNotVerified
from consult.models import ConsultationPage
from consult.voting import lookup, presenter, translations
from tests import factories
from tests.voting.test_translations import translate

API = "/consult/api/v1"


def test_loads_question_and_rule_fields_in_one_query(yes_no, citizen, django_assert_num_queries):
    page = ConsultationPage.objects.get(pk=yes_no.page_id)

    with django_assert_num_queries(1):
        question = lookup.live_question(yes_no.pk, voter=citizen)
        rules = (
            permissions.voting_refusal(citizen, question.page),
            presenter.results_visible(question.page),
            translations.source_page_id(question.page),
            privacy.is_visible(Actor(citizen), question.page),
        )

    assert rules == (None, True, page.pk, True)
    assert (question.pk, question.title) == (yes_no.pk, "Car-free square?")
    for name in ("voting_open_at", "voting_close_at", "ballot_secrecy", "allow_vote_change"):
        assert getattr(question.page, name) == getattr(page, name), name
    assert question.page.translation_key == page.translation_key


def test_other_page_fields_still_load_when_read(yes_no):
    question = lookup.live_question(yes_no.pk)
    # Not among the rule fields: read on demand, still right.
    assert question.page.url_path == yes_no.page.url_path
    assert question.page.comments_enabled is True


def test_unpublished_and_unknown_questions_are_not_found(yes_no):
    yes_no.page.unpublish()
    with pytest.raises(Http404):
        lookup.live_question(yes_no.pk)
    with pytest.raises(Http404):
        lookup.live_question(10**12)


def test_reads_the_voters_verification(yes_no, unverified, django_assert_num_queries):
    with django_assert_num_queries(1):
        question = lookup.live_question(yes_no.pk, voter=unverified)
        refusal = permissions.voting_refusal(unverified, question.page)
    assert isinstance(refusal, EmailNotVerified)


def test_verification_is_not_asked_when_not_required(yes_no, unverified, settings):
    settings.CONSULT = {**settings.CONSULT, "REQUIRE_VERIFIED_EMAIL": False}
    question = lookup.live_question(yes_no.pk, voter=unverified)
    assert permissions.voting_refusal(unverified, question.page) is None


def test_a_translation_knows_its_source(yes_no, settings):
    from wagtail.models import Locale

    settings.WAGTAIL_I18N_ENABLED = True
    french = translate(yes_no.page, Locale.objects.get_or_create(language_code="fr")[0])
    translated = french.questions.get(method="yes_no")

    question = lookup.live_question(translated.pk)

    assert translations.source_page_id(question.page) == yes_no.page_id
    assert translations.is_translation(question.page)
    assert translations.shared_question(question).pk == yes_no.pk


def ballot_statements(user, question, body) -> list[str]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"{API}/questions/{question.pk}/ballot/", body, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    ("spec", "body"),
    [
        ({"method": "yes_no"}, lambda options: {"choice": "yes"}),
        (
            {"method": "approval", "options": ["A", "B", "C"], "max_choices": 3},
            lambda options: {"options": options},
        ),
    ],
    ids=["yes_no", "approval"],
)
def test_a_ballot_costs_at_most_eight_statements(db, spec, body):
    """Session, user, question, BEGIN, participation and ballot, tally and
    counters, the log entry, COMMIT; on SQLite the two inserts, the tally
    and its counters, and the log's head and entry are separate statements."""
    page = factories.make_consultation(questions=[{"title": "Q", **spec}])
    question = factories.first_question(page)
    options = list(question.options.values_list("pk", flat=True))
    ballot_statements(factories.make_user(), question, body(options))  # counters now exist

    statements = ballot_statements(factories.make_user(), question, body(options))

    postgresql = connection.vendor == "postgresql"
    inserts, tally, log = (1, 1, 1) if postgresql else (2, 2, 3)
    # Approval reads its options to check the ballot against them.
    reads = 3 + (spec["method"] == "approval")
    assert len(statements) == reads + 1 + inserts + tally + log + 1, statements
    assert not [sql for sql in statements if "account_emailaddress" in sql and "EXISTS" not in sql]
