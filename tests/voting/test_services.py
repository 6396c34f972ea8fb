from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from consult import exceptions
from consult.models import Ballot, Participation, Tally
from consult.signals import ballot_cast
from consult.voting import services
from consult.voting.digest import ballot_digest
from consult.voting.tally import recount, stored_counts, tally_payload
from tests import factories


def votes(question):
    return {entry["key"]: entry["votes"] for entry in tally_payload(question)["results"]}


def assert_matches_recount(question):
    _version, ballots, counts = stored_counts(question)
    assert (ballots, counts) == recount(question)


def test_cast_counts_and_creates_one_ballot(yes_no, citizen):
    result = services.cast_ballot(citizen, yes_no, {"choice": "yes"})

    assert result.created is True
    assert votes(yes_no) == {"yes": 1, "no": 0, "abstain": 0}
    assert tally_payload(yes_no)["ballots"] == 1
    assert Participation.objects.filter(question=yes_no, voter=citizen).count() == 1
    assert Ballot.objects.filter(question=yes_no).count() == 1
    assert_matches_recount(yes_no)


def test_replace_moves_the_vote_and_bumps_version(single, citizen):
    green, hall, _plaza = single.options.all()
    services.cast_ballot(citizen, single, {"option": green.pk})
    first_version = tally_payload(single)["version"]

    result = services.cast_ballot(citizen, single, {"option": str(hall.pk)})

    assert result.created is False
    assert votes(single)[str(green.pk)] == 0
    assert votes(single)[str(hall.pk)] == 1
    assert tally_payload(single)["ballots"] == 1
    assert tally_payload(single)["version"] == first_version + 1
    assert Ballot.objects.filter(question=single).count() == 1
    assert_matches_recount(single)


def test_second_ballot_refused_when_changes_are_off(yes_no, citizen):
    page = yes_no.page
    page.allow_vote_change = False
    page.save()
    services.cast_ballot(citizen, yes_no, {"choice": "no"})

    with pytest.raises(exceptions.AlreadyVoted):
        services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    with pytest.raises(exceptions.AlreadyVoted):
        services.retract_ballot(citizen, yes_no)

    assert votes(yes_no) == {"yes": 0, "no": 1, "abstain": 0}


def test_retract_removes_ballot_and_count(yes_no, citizen):
    other = factories.make_user()
    services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    services.cast_ballot(other, yes_no, {"choice": "yes"})

    services.retract_ballot(citizen, yes_no)

    assert votes(yes_no)["yes"] == 1
    assert tally_payload(yes_no)["ballots"] == 1
    assert not Participation.objects.filter(question=yes_no, voter=citizen).exists()
    assert Ballot.objects.filter(question=yes_no).count() == 1
    assert_matches_recount(yes_no)
    with pytest.raises(exceptions.NoBallot):
        services.retract_ballot(citizen, yes_no)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "yes",
        {},
        {"choice": "maybe"},
        {"choice": 1},
        {"choice": None},
    ],
)
def test_invalid_yes_no_ballots_write_nothing(yes_no, citizen, body):
    with pytest.raises(exceptions.InvalidBallot) as caught:
        services.cast_ballot(citizen, yes_no, body)

    assert str(caught.value.detail)
    assert not Participation.objects.exists()
    assert not Tally.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"option": None}, {"option": True}, {"option": "abc"}, {"option": 999999}]
)
def test_invalid_single_ballots_write_nothing(single, citizen, body):
    with pytest.raises(exceptions.InvalidBallot):
        services.cast_ballot(citizen, single, body)
    assert not Ballot.objects.exists()


def test_option_of_another_question_is_refused(consultation, citizen):
    other = factories.make_consultation(
        questions=[{"title": "Other", "method": "single", "options": ["A", "B"]}]
    )
    foreign = factories.first_question(other).options.first()
    single = consultation.questions.get(method="single")

    with pytest.raises(exceptions.InvalidBallot):
        services.cast_ballot(citizen, single, {"option": foreign.pk})


def test_anonymous_and_unverified_are_refused(yes_no, unverified, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(exceptions.NotAuthenticated):
        services.cast_ballot(AnonymousUser(), yes_no, {"choice": "yes"})
    with pytest.raises(exceptions.NotEligible) as caught:
        services.cast_ballot(unverified, yes_no, {"choice": "yes"})
    assert caught.value.code == "not_eligible"
    assert not Participation.objects.exists()


def test_unverified_may_vote_when_the_setting_is_off(yes_no, unverified, settings):
    settings.CONSULT = {"REQUIRE_VERIFIED_EMAIL": False}
    assert services.cast_ballot(unverified, yes_no, {"choice": "yes"}).created


@pytest.mark.parametrize(
    ("opens", "closes", "error"),
    [
        (timedelta(hours=1), timedelta(days=1), exceptions.VotingNotOpen),
        (-timedelta(days=2), -timedelta(days=1), exceptions.VotingClosed),
        (None, None, exceptions.VotingNotOpen),
    ],
)
def test_votes_outside_the_voting_phase_are_refused(yes_no, citizen, opens, closes, error):
    now = timezone.now()
    page = yes_no.page
    page.voting_open_at = now + opens if opens is not None else None
    page.voting_close_at = now + closes if closes is not None else None
    page.save()

    with pytest.raises(error):
        services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    assert not Participation.objects.exists()


def test_broadcast_happens_only_on_commit(yes_no, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    assert len(callbacks) == 1


def test_signal_reports_created_then_replaced(yes_no, citizen):
    seen = []

    def receiver(sender, question, voter, created, **kwargs):
        seen.append((question.pk, voter.pk, created))

    ballot_cast.connect(receiver)
    try:
        services.cast_ballot(citizen, yes_no, {"choice": "yes"})
        services.cast_ballot(citizen, yes_no, {"choice": "no"})
    finally:
        ballot_cast.disconnect(receiver)
    assert seen == [(yes_no.pk, citizen.pk, True), (yes_no.pk, citizen.pk, False)]


def test_own_ballot_public_vs_secret(yes_no, citizen):
    assert services.own_ballot(citizen, yes_no) is None
    services.cast_ballot(citizen, yes_no, {"choice": "abstain"})

    assert services.own_ballot(citizen, yes_no) == {}  # secret by default

    page = yes_no.page
    page.ballot_secrecy = "public"
    page.save()
    yes_no.refresh_from_db()
    assert services.own_ballot(citizen, yes_no) == {"choice": "abstain"}


def test_stored_ballot_carries_no_link_to_its_voter(yes_no, citizen):
    services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    ballot = Ballot.objects.get()
    columns = {field.column for field in Ballot._meta.concrete_fields}

    assert columns == {"id", "question_id", "digest", "content"}
    # The digest is keyed: without the key (which is not in the database) the
    # voter cannot be derived from it.
    assert ballot.digest == ballot_digest(yes_no.pk, citizen.pk)
    with override_settings(CONSULT={"BALLOT_KEY": "another key"}):
        assert ballot.digest != ballot_digest(yes_no.pk, citizen.pk)
    assert citizen.username not in str(ballot.content)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Ballot._meta.db_table}")  # noqa: S608
        row = cursor.fetchone()
    assert citizen.email not in str(row)


def test_changed_ballot_key_keeps_vote_but_locks_it(yes_no, citizen, settings):
    services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    settings.CONSULT = {"BALLOT_KEY": "rotated"}

    with pytest.raises(exceptions.AlreadyVoted):
        services.cast_ballot(citizen, yes_no, {"choice": "no"})
    assert votes(yes_no)["yes"] == 1
