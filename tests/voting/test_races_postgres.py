"""Concurrency on a real PostgreSQL: many threads, each with its own connection."""

from collections import Counter

import pytest
from django.db import connection

from consult.exceptions import AlreadyVoted
from consult.models import Ballot, Participation
from consult.voting import services
from consult.voting.tally import recount, stored_counts
from tests import factories
from tests.concurrency import hammer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_write_limits"),
]
THREADS = 32


def assert_matches_recount(question):
    _version, ballots, counts = stored_counts(question)
    assert (ballots, counts) == recount(question)


@pytest.fixture
def question():
    assert connection.vendor == "postgresql"
    page = factories.make_consultation(
        questions=[{"title": "Design?", "method": "single", "options": ["A", "B", "C"]}]
    )
    return factories.first_question(page)


def test_one_voter_32_threads_leave_one_ballot(question):
    voter = factories.make_user()
    options = list(question.options.values_list("pk", flat=True))
    calls = [
        (lambda i=i: services.cast_ballot(voter, question, {"option": options[i % 3]}))
        for i in range(THREADS)
    ]

    outcomes = hammer(calls)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    assert sum(1 for o in outcomes if o.created) == 1
    assert Participation.objects.filter(question=question).count() == 1
    assert Ballot.objects.filter(question=question).count() == 1
    _version, ballots, counts = stored_counts(question)
    assert ballots == 1
    assert sum(votes for votes, _total in counts.values()) == 1
    assert_matches_recount(question)


def test_one_voter_32_threads_without_vote_change(question):
    page = question.page
    page.allow_vote_change = False
    page.save()
    voter = factories.make_user()
    option = question.options.first().pk

    outcomes = hammer([lambda: services.cast_ballot(voter, question, {"option": option})] * THREADS)

    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"CastResult": 1, "AlreadyVoted": THREADS - 1}
    assert all(isinstance(o, AlreadyVoted) for o in outcomes if not hasattr(o, "created"))
    assert Ballot.objects.filter(question=question).count() == 1
    assert_matches_recount(question)


def test_32_voters_at_once_all_count(question):
    voters = [factories.make_user() for _ in range(THREADS)]
    options = list(question.options.values_list("pk", flat=True))

    outcomes = hammer(
        [
            (lambda v=v, i=i: services.cast_ballot(v, question, {"option": options[i % 3]}))
            for i, v in enumerate(voters)
        ]
    )

    assert all(o.created for o in outcomes)
    version, ballots, counts = stored_counts(question)
    assert ballots == THREADS
    assert version == THREADS
    assert_matches_recount(question)


def test_casts_and_retractions_interleaved_stay_consistent(question):
    voters = [factories.make_user() for _ in range(16)]
    options = list(question.options.values_list("pk", flat=True))
    for voter in voters[:8]:
        services.cast_ballot(voter, question, {"option": options[0]})

    calls = [(lambda v=v: services.retract_ballot(v, question)) for v in voters[:8]]
    calls += [
        (lambda v=v: services.cast_ballot(v, question, {"option": options[1]})) for v in voters
    ]
    hammer(calls)

    assert_matches_recount(question)
    assert (
        Ballot.objects.filter(question=question).count()
        == Participation.objects.filter(question=question).count()
    )


def test_approval_ballots_touching_the_same_counters_never_deadlock(db):
    """Each ballot upserts several counter rows in one statement; 32 at once,
    overlapping in every order, all count and none waits on another forever."""
    page = factories.make_consultation(
        questions=[
            {"title": "Which?", "method": "approval", "options": list("ABCDE"), "max_choices": 5}
        ]
    )
    approval = factories.first_question(page)
    options = list(approval.options.values_list("pk", flat=True))
    voters = [factories.make_user() for _ in range(THREADS)]
    picks = [(options[i % 5 :] + options[: i % 5])[: 2 + i % 4] for i in range(THREADS)]

    outcomes = hammer(
        [
            (lambda v=v, p=p: services.cast_ballot(v, approval, {"options": p}))
            for v, p in zip(voters, picks, strict=True)
        ]
    )
    assert [o for o in outcomes if isinstance(o, Exception)] == []

    # Now everyone changes their mind at once.
    outcomes = hammer(
        [
            (lambda v=v, p=p: services.cast_ballot(v, approval, {"options": p[::-1][:2]}))
            for v, p in zip(voters, picks, strict=True)
        ]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    version, ballots, counts = stored_counts(approval)
    assert (ballots, version) == (THREADS, 2 * THREADS)
    assert sum(votes for votes, _total in counts.values()) == 2 * THREADS
    assert_matches_recount(approval)
