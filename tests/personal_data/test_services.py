"""Personal data: download, account deletion (ballots stay counted and
unlinkable, content as ON_ACCOUNT_DELETE says), retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from consult.eligibility import census, codes
from consult.exceptions import CensusEntryClaimed, NotEligible
from consult.models import Ballot, CensusEntry, Comment, Participation, Proposal
from consult.voting import services as voting
from consult.voting.tally import recount, stored_counts
from tests import factories
from tests.eligibility_helpers import make_census, page_with

API = "/consult/api/v1"
pytestmark = pytest.mark.django_db


def test_my_data_holds_what_the_app_knows(citizen, yes_no):
    voting.cast_ballot(citizen, yes_no, {"choice": "no"})
    make_census(rows=[("A1", "1990-01-01", "10115")])
    census.claim(citizen, ["residents"], "A1", "1990-01-01")
    client = Client()
    client.force_login(citizen)
    response = client.get(f"{API}/me/data/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["account"]["email"] == citizen.email
    assert data["ballots"][0]["ballot"] == {"choice": "no"}
    assert data["census_entries"][0]["postcode"] == "10115"
    assert Client().get(f"{API}/me/data/").status_code in (401, 403)


def test_deleting_an_account_keeps_ballots_counted_and_unlinkable(citizen, yes_no):
    other = factories.make_user()
    voting.cast_ballot(citizen, yes_no, {"choice": "yes"})
    voting.cast_ballot(other, yes_no, {"choice": "no"})
    client = Client()
    client.force_login(citizen)
    assert client.delete(f"{API}/me/").status_code == 204
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()
    assert Ballot.objects.filter(question=yes_no).count() == 2
    assert Participation.objects.filter(question=yes_no).count() == 1
    _version, ballots, counts = stored_counts(yes_no)
    assert (ballots, counts) == recount(yes_no)
    assert ballots == 2
    # Signed out by the deletion.
    assert client.get(f"{API}/me/data/").status_code in (401, 403)


@pytest.mark.parametrize(("mode", "kept"), [("anonymise", True), ("delete", False)])
def test_authored_content_follows_the_setting(settings, mode, kept):
    settings.CONSULT = {"ON_ACCOUNT_DELETE": mode}
    page = factories.make_proposal_consultation()
    author = factories.make_user()
    proposal = factories.make_proposal(page, author=author)
    comment = factories.make_comment(page, author=author, body="My view")
    from consult.personal_data import services

    services.delete_account(author)
    assert Proposal.objects.filter(pk=proposal.pk).exists() is kept
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.author_id is None
    assert (comment.body == "My view") is kept


def test_a_deleted_account_cannot_come_back_through_its_census_entry_or_code():
    from consult.personal_data import services

    make_census(rows=[("A1", "1990-01-01", "")])
    person = factories.make_user()
    census.claim(person, ["residents"], "A1", "1990-01-01")
    page = page_with(("voting_code", {}))
    code = codes.generate(page, 1).codes[0]
    participant = codes.participant_for(page, code)
    services.delete_account(person)
    services.delete_account(participant)
    with pytest.raises(CensusEntryClaimed):
        census.claim(factories.make_user(), ["residents"], "A1", "1990-01-01")
    with pytest.raises(NotEligible):
        codes.participant_for(page, code)
    entry = CensusEntry.objects.get()
    census.release(entry)  # an administrator may still free it
    assert census.claim(factories.make_user(), ["residents"], "A1", "1990-01-01")


def test_deletion_withdraws_supports():
    from consult.contributions import services as contributions
    from consult.personal_data import services

    page = factories.make_proposal_consultation()
    proposal = factories.make_proposal(page)
    supporter = factories.make_user()
    contributions.support_proposal(supporter, proposal)
    services.delete_account(supporter)
    proposal.refresh_from_db()
    assert proposal.supports == 0 == proposal.support_set.count()


def test_delete_page_asks_for_confirmation(citizen):
    client = Client()
    client.force_login(citizen)
    assert client.post("/consult/account/delete/", {}).status_code == 200
    assert get_user_model().objects.filter(pk=citizen.pk).exists()
    assert client.post("/consult/account/delete/", {"confirm": "on"}).status_code == 302
    assert not get_user_model().objects.filter(pk=citizen.pk).exists()


def test_retention_unlinks_participation_of_long_closed_consultations(settings):
    now = timezone.now()
    old = factories.make_consultation(
        voting_open_at=now - timedelta(days=60), voting_close_at=now - timedelta(days=40)
    )
    recent = factories.make_consultation()
    voter = factories.make_user()
    for page in (old, recent):
        question = factories.first_question(page)
        Participation.objects.create(question=question, voter=voter)
    settings.CONSULT = {"PARTICIPATION_RETENTION_DAYS": 30}
    call_command("consult_retention")
    assert list(Participation.objects.values_list("question__page", flat=True)) == [recent.pk]


def test_an_api_token_cannot_export_or_delete_the_account(citizen):
    from consult.models import ApiToken

    _token, key = ApiToken.issue(citizen, "app", "write")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert Client().get(f"{API}/me/data/", **headers).status_code in (401, 403)
    assert Client().delete(f"{API}/me/", **headers).status_code in (401, 403)
    assert get_user_model().objects.filter(pk=citizen.pk).exists()
