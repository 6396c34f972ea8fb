"""Voting codes: generation, salted storage, login (API and page), binding, revocation."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.test import Client

from consult.eligibility import codes, services
from consult.models import Participant, VotingCode
from tests import factories
from tests.eligibility_helpers import page_with

API = "/consult/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return page_with(("voting_code", {}))


def login(client, page, code):
    return client.post(
        f"{API}/consultations/{page.pk}/code-login/",
        {"code": code},
        content_type="application/json",
    )


def test_codes_are_stored_only_as_salted_digests(page):
    generated = codes.generate(page, 5)
    stored = set(VotingCode.objects.values_list("digest", flat=True))
    assert len(stored) == 5 and len(set(generated.codes)) == 5
    for code in generated.codes:
        assert code not in stored and code.replace("-", "") not in str(stored)
        assert codes.code_digest(generated.batch.salt, code) in stored


def test_the_same_code_signs_in_the_same_participant_for_this_consultation_only(page):
    code = codes.generate(page, 1).codes[0]
    first = login(Client(), page, code)
    assert first.status_code == 200 and first.json()["eligible"] is True
    again = login(Client(), page, code.lower().replace("-", " "))
    assert again.status_code == 200
    participant = Participant.objects.get()
    assert Participant.objects.count() == 1
    user = participant.user
    assert not user.has_usable_password()
    assert not user.email

    question = factories.first_question(page)
    client = Client()
    login(client, page, code)
    ballot = client.post(
        f"{API}/questions/{question.pk}/ballot/", {"choice": "yes"}, content_type="application/json"
    )
    assert ballot.status_code == 201

    other = factories.make_consultation()  # no rules at all
    refusal = services.refusal(user, other, "vote")
    assert refusal.code == "not_eligible" and refusal.extra["rule"] == "voting_code"


def test_unknown_foreign_and_revoked_codes_get_one_answer(page):
    other = page_with(("voting_code", {}))
    foreign = codes.generate(other, 1).codes[0]
    generated = codes.generate(page, 2)
    codes.revoke(generated.batch)
    answers = {
        (response.status_code, response.content)
        for response in (
            login(Client(), page, "AAAA-BBBB-CCCC"),
            login(Client(), page, foreign),
            login(Client(), page, generated.codes[0]),
            login(Client(), page, 12),
        )
    }
    assert len(answers) == 1
    assert answers.pop()[0] == 403


def test_revoking_a_batch_takes_the_rule_away_from_its_participants(page):
    generated = codes.generate(page, 1)
    user = codes.participant_for(page, generated.codes[0])
    assert services.refusal(user, page, "vote") is None
    codes.revoke(generated.batch)
    assert services.refusal(user, page, "vote").extra["rule"] == "voting_code"


def test_guessing_is_throttled(page, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"code_login": "3/hour"}}
    client = Client()
    statuses = [login(client, page, "WRONG-CODE").status_code for _ in range(4)]
    assert statuses == [403, 403, 403, 429]


def test_code_login_page_without_javascript(page):
    code = codes.generate(page, 1).codes[0]
    client = Client()
    url = f"/consult/consultations/{page.pk}/code/"
    assert b'name="code"' in client.get(url).content
    wrong = client.post(url, {"code": "nope"})
    assert wrong.status_code == 403
    right = client.post(url, {"code": code})
    assert right.status_code == 302
    assert client.get(f"{API}/consultations/{page.pk}/eligibility/").json()["eligible"] is True


def test_command_writes_the_codes_once(page, tmp_path):
    out = tmp_path / "codes.csv"
    call_command("consult_codes", "generate", str(page.pk), "--count", "3", "--out", str(out))
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3
    assert login(Client(), page, rows[0]["code"]).status_code == 200
    call_command("consult_codes", "revoke", rows[0]["batch"])
    assert login(Client(), page, rows[1]["code"]).status_code == 403


def test_census_command(tmp_path, db):
    from consult.models import Census

    path = tmp_path / "census.csv"
    path.write_text("nr;geb\n00123;1990-02-03\n;x\n", encoding="utf-8")
    call_command(
        "consult_census",
        "import",
        "city",
        str(path),
        "--identifier-column",
        "nr",
        "--birth-date-column",
        "geb",
        "--delimiter",
        ";",
    )
    record = Census.objects.get(name="city")
    assert (record.entries, record.rows_rejected) == (1, 1)
