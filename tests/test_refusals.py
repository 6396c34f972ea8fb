"""Every refusal of the ballot service, through every entry point.

The rules live in ``consult.voting.services``: a direct call, the API and
the page form must refuse the same ballots with the same code and the same
words, and write nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone, translation

from consult.actor import Actor
from consult.exceptions import ConsultError
from consult.models import Ballot, Participation
from consult.voting import services
from tests import factories

API = "/consult/api/v1"


def _anonymous(question):
    return AnonymousUser(), {"choice": "yes"}


def _unverified(question):
    return factories.make_user(verified=False), {"choice": "yes"}


def _not_open(question):
    page = question.page
    page.voting_open_at = timezone.now() + timedelta(days=1)
    page.voting_close_at = timezone.now() + timedelta(days=2)
    page.save()
    return factories.make_user(), {"choice": "yes"}


def _closed(question):
    page = question.page
    page.voting_open_at = timezone.now() - timedelta(days=2)
    page.voting_close_at = timezone.now() - timedelta(days=1)
    page.save()
    return factories.make_user(), {"choice": "yes"}


def _already_voted(question):
    page = question.page
    page.allow_vote_change = False
    page.save()
    voter = factories.make_user()
    services.cast_ballot(voter, question, {"choice": "no"})
    return voter, {"choice": "yes"}


def _invalid(question):
    return factories.make_user(), {"choice": "maybe"}


def _throttled(question):
    voter = factories.make_user()
    services.cast_ballot(voter, question, {"choice": "no"})  # the one allowed write
    return voter, {"choice": "yes"}


REFUSALS = {
    "not_authenticated": _anonymous,
    "not_eligible": _unverified,
    "voting_not_open": _not_open,
    "voting_closed": _closed,
    "already_voted": _already_voted,
    "invalid_ballot": _invalid,
    "throttled": _throttled,
}


def _service(question, voter, body):
    with pytest.raises(ConsultError) as refused:
        services.cast_ballot(Actor(user=voter, address="10.0.0.9"), question, body)
    return refused.value.code, str(refused.value.detail)


def _api(question, voter, body):
    client = Client(REMOTE_ADDR="10.0.0.9")
    if voter.is_authenticated:
        client.force_login(voter)
    response = client.post(
        f"{API}/questions/{question.pk}/ballot/", body, content_type="application/json"
    )
    assert response.status_code >= 400
    return response.json()["code"], response.json()["detail"]


def _form(question, voter, body):
    client = Client(REMOTE_ADDR="10.0.0.9")
    if voter.is_authenticated:
        client.force_login(voter)
    response = client.post(
        f"/consult/questions/{question.pk}/vote/", {f"q{question.pk}-choice": body["choice"]}
    )
    assert response.status_code == 302
    errors = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1, errors
    return None, errors[0]


ENTRY_POINTS = {"service": _service, "api": _api, "form": _form}


def _stored():
    return (
        sorted(Participation.objects.values_list("voter_id", flat=True)),
        sorted(map(str, Ballot.objects.values_list("content", flat=True))),
    )


@pytest.mark.parametrize("code", list(REFUSALS))
def test_each_refusal_through_each_entry_point(yes_no, settings, code):
    settings.CONSULT = {"THROTTLE_RATES": {"ballot": "1/minute" if code == "throttled" else None}}
    voter, body = REFUSALS[code](yes_no)
    before = _stored()

    with translation.override("en"):
        answers = {entry: call(yes_no, voter, body) for entry, call in ENTRY_POINTS.items()}

    assert answers["service"][0] == answers["api"][0] == code
    details = {entry: detail for entry, (_code, detail) in answers.items()}
    if code == "throttled":  # the wording counts down the seconds left
        details = {entry: detail.split(" Try again")[0] for entry, detail in details.items()}
    assert details["service"] == details["api"] == details["form"], details
    assert _stored() == before, "a refused ballot wrote something"
