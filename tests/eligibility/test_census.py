"""Census: normalisation (properties), import, claims over the API and the page."""

from __future__ import annotations

import io
import string
from datetime import date

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from consult.eligibility import census, normalise
from consult.exceptions import CensusEntryClaimed
from consult.models import Census, CensusEntry
from tests import factories
from tests.eligibility_helpers import make_census, page_with

API = "/consult/api/v1"

identifiers = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=16)
noise = st.lists(st.sampled_from([" ", "-", "\u2013", "\u00a0", "."]), max_size=3)


@given(identifiers, st.data())
def test_case_spaces_dashes_and_leading_zeros_do_not_change_an_identifier(value, data):
    typed = ""
    for char in value:
        typed += char.lower() if data.draw(st.booleans()) else char.upper()
        typed += "".join(data.draw(noise))
    zeros = "0" * data.draw(st.integers(0, 3))
    assert normalise.identifier(zeros + typed) == normalise.identifier(value)


@given(identifiers)
def test_a_normalised_identifier_is_stable(value):
    once = normalise.identifier(value)
    assert normalise.identifier(once) == once
    assert once == once.upper() and " " not in once and "-" not in once


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)))
def test_common_date_forms_read_the_same(day):
    forms = [
        day.isoformat(),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%Y%m%d"),
        f" {day.day}.{day.month}.{day.year} ",
    ]
    assert {normalise.birth_date(form) for form in forms} == {day}


@pytest.mark.parametrize("value", ["", "   ", "--", "31.02.2000", "tomorrow", "2000-13-01"])
def test_unreadable_input_is_refused(value):
    with pytest.raises(ValueError):
        normalise.birth_date(value)
    if not value.strip(" -"):
        with pytest.raises(ValueError):
            normalise.identifier(value)


def test_only_keyed_digests_are_stored(db, settings):
    record = make_census(rows=[("0012-AB", "1990-04-01", "10115")])
    entry = CensusEntry.objects.get(census=record)
    assert b"AB" not in bytes(entry.digest) and b"1990" not in bytes(entry.digest)
    assert (entry.postcode, entry.birth_year) == ("10115", 1990)
    assert bytes(entry.digest) == census.entry_digest("12 ab", "01.04.1990")
    settings.CONSULT = {"CENSUS_KEY": "another key"}
    assert bytes(entry.digest) != census.entry_digest("12 ab", "01.04.1990")


def test_import_reports_rejected_rows_and_replace_keeps_claims(db):
    record = Census.objects.create(name="city")
    text = (
        "id,born,zip\nA1,1990-01-01,1\n,1990-01-01,1\nB2,someday,2\n"
        "C3,02.03.1980,3\nA1,1990-01-01,9\n"
    )
    columns = census.Columns("id", "born", "zip")
    report = census.import_census(record, io.StringIO(text), columns)
    assert (report.read, report.rejected, report.entries) == (5, 2, 2)
    assert report.rejections == [(3, "no identifier"), (4, "birth date not understood")]
    record.refresh_from_db()
    assert (record.status, record.entries, record.rows_rejected) == ("ready", 2, 2)

    user = factories.make_user()
    census.claim(user, ["city"], "a1", "1990-01-01")
    replaced = "id,born,zip\nA1,1990-01-01,7\nD4,1970-05-05,4\n"
    report = census.import_census(record, io.StringIO(replaced), columns, replace=True)
    assert report.entries == 2
    kept = CensusEntry.objects.get(census=record, claimed_by=user)
    assert kept.postcode == "7"
    assert not CensusEntry.objects.filter(
        census=record, digest=census.entry_digest("C3", "1980-03-02")
    )


def test_import_refuses_a_file_without_the_columns(db):
    record = Census.objects.create(name="city")
    with pytest.raises(ValueError, match="born"):
        census.import_census(
            record, io.StringIO("id,birth\nA,1990-01-01\n"), census.Columns("id", "born")
        )


def test_one_entry_binds_one_account_and_one_account_one_entry(db):
    make_census(rows=[("A1", "1990-01-01", ""), ("B2", "1991-01-01", "")])
    first, second = factories.make_user(), factories.make_user()
    entry = census.claim(first, ["residents"], "A1", "1990-01-01")
    assert entry.claimed_by == first
    with pytest.raises(CensusEntryClaimed):
        census.claim(second, ["residents"], "a-1", "01.01.1990")
    # Already holding an entry: given back without looking up the new details.
    assert census.claim(first, ["residents"], "B2", "1991-01-01").pk == entry.pk
    census.release(entry)
    assert census.claim(second, ["residents"], "A1", "1990-01-01").claimed_by == second


@pytest.fixture
def claim_page(db):
    make_census(rows=[("A1", "1990-01-01", "10115")])
    return page_with(("census", {"census": "residents", "postcodes": []}))


def post_claim(client, page, identifier, birth_date):
    return client.post(
        f"{API}/consultations/{page.pk}/eligibility/",
        {"census": {"identifier": identifier, "birth_date": birth_date}},
        content_type="application/json",
    )


def test_claim_over_the_api(claim_page, citizen):
    client = Client()
    client.force_login(citizen)
    before = client.get(f"{API}/consultations/{claim_page.pk}/eligibility/").json()
    assert before["eligible"] is False and before["unmet"][0]["rule"] == "census"

    response = post_claim(client, claim_page, "a 1", "1990-01-01")
    assert response.status_code == 200
    assert response.json() == {
        "eligible": True,
        "actions": dict.fromkeys(("vote", "propose", "comment", "support"), True),
        "unmet": [],
    }
    other = Client()
    other.force_login(factories.make_user())
    taken = post_claim(other, claim_page, "A1", "1990-01-01")
    assert (taken.status_code, taken.json()["code"]) == (409, "census_entry_claimed")


def test_every_kind_of_mismatch_gets_the_same_answer(claim_page, citizen):
    client = Client()
    client.force_login(citizen)
    answers = {
        (response.status_code, response.content)
        for response in (
            post_claim(client, claim_page, "A2", "1990-01-01"),  # unknown identifier
            post_claim(client, claim_page, "A1", "1990-01-02"),  # wrong birth date
            post_claim(client, claim_page, "", "1990-01-01"),  # unreadable identifier
            post_claim(client, claim_page, "A1", "not a date"),  # unreadable date
            post_claim(client, claim_page, 5, None),  # not even text
        )
    }
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 403 and b'"not_eligible"' in body


def test_claims_are_throttled(claim_page, citizen, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"census_claim": "3/hour"}}
    client = Client()
    client.force_login(citizen)
    codes = [post_claim(client, claim_page, "X", "1990-01-01").status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    # The right details do not get past the limit either.
    assert post_claim(client, claim_page, "A1", "1990-01-01").status_code == 429


def test_claim_needs_a_signed_in_account_and_a_census_rule(claim_page, citizen):
    assert post_claim(Client(), claim_page, "A1", "1990-01-01").status_code in (401, 403)
    client = Client()
    client.force_login(citizen)
    without = factories.make_consultation()
    response = post_claim(client, without, "A1", "1990-01-01")
    assert (response.status_code, response.json()["code"]) == (403, "not_eligible")
    bad = client.post(
        f"{API}/consultations/{claim_page.pk}/eligibility/",
        {"census": "A1"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_claim_page_without_javascript(claim_page, citizen):
    client = Client()
    client.force_login(citizen)
    url = f"/consult/consultations/{claim_page.pk}/eligibility/"
    page = client.get(url)
    assert b'name="identifier"' in page.content and b"Listed in a census" not in page.content
    wrong = client.post(url, {"identifier": "A1", "birth_date": "1980-01-01"})
    assert wrong.status_code == 403 and b"could not confirm" in wrong.content
    right = client.post(url, {"identifier": "A1", "birth_date": "1990-01-01"})
    assert right.status_code == 302
    assert CensusEntry.objects.get(claimed_by=citizen)


def test_a_refused_ballot_says_which_rule_and_where_to_go(claim_page, citizen):
    from tests.factories import first_question

    client = Client()
    client.force_login(citizen)
    question = first_question(claim_page)
    response = client.post(
        f"{API}/questions/{question.pk}/ballot/", {"choice": "yes"}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 403
    assert body["code"] == "not_eligible" and body["rule"] == "census"
    assert body["action_url"] == f"/consult/consultations/{claim_page.pk}/eligibility/"
    post_claim(client, claim_page, "A1", "1990-01-01")
    response = client.post(
        f"{API}/questions/{question.pk}/ballot/", {"choice": "yes"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_the_consultation_page_says_who_may_take_part(claim_page, citizen):
    client = Client()
    client.force_login(citizen)
    html = client.get(claim_page.url).content.decode()
    assert "Who may take part" in html
    assert "People listed in the census" in html
    assert f"/consult/consultations/{claim_page.pk}/eligibility/" in html
