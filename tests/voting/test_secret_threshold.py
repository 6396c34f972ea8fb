"""SECRET_LIVE_THRESHOLD (SPEC §11): secret ballots with live results show,
push and serve only their turnout until a question has that many ballots."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consult.realtime.broadcast import question_message
from consult.voting import services
from tests import factories

API = "/consult/api/v1"


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.CONSULT = {**settings.CONSULT, "SECRET_LIVE_THRESHOLD": 3}


def make(secrecy="secret"):
    page = factories.make_consultation(
        ballot_secrecy=secrecy,
        results_visibility="live",
        questions=[{"title": "Car-free?", "method": "yes_no"}],
    )
    return factories.first_question(page)


def vote(question, count):
    for _ in range(count):
        services.cast_ballot(factories.make_user(), question, {"choice": "yes"})


def served(question):
    return Client().get(f"{API}/questions/{question.pk}/tally/")


@pytest.mark.django_db
def test_below_the_threshold_only_turnout_is_served_pushed_and_shown():
    question = make()
    vote(question, 2)

    response = served(question)
    assert (response.status_code, response.json()["code"]) == (403, "results_hidden")
    log = Client().get(f"{API}/questions/{question.pk}/log/")
    assert log.status_code == 403
    assert question_message(question) == {
        "type": "turnout",
        "question": question.pk,
        "version": 2,
        "ballots": 2,
    }
    html = Client().get(question.page.url).content.decode()
    assert "<td data-votes>2</td>" not in html
    bundle = Client().get(f"{API}/consultations/{question.page.pk}/results.zip")
    assert bundle.status_code == 403


@pytest.mark.django_db
def test_at_the_threshold_the_tally_appears_everywhere():
    question = make()
    vote(question, 3)

    assert served(question).json()["ballots"] == 3
    assert question_message(question)["type"] == "tally"
    assert Client().get(f"{API}/questions/{question.pk}/log/").status_code == 200
    assert "<td data-votes>3</td>" in Client().get(question.page.url).content.decode()


@pytest.mark.django_db
def test_public_ballots_and_closed_votes_are_not_held_back():
    public = make("public")
    vote(public, 1)
    assert served(public).status_code == 200

    secret = make()
    vote(secret, 1)
    page = secret.page
    page.voting_close_at = timezone.now() - timedelta(minutes=1)
    page.save()
    assert served(secret).status_code == 200
