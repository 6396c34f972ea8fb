"""Contributions under concurrency on a real PostgreSQL: many threads, each
with its own connection. Counters must always equal the rows they count."""

from collections import Counter

import pytest
from django.db import connection

from consult.contributions import moderation, services
from consult.exceptions import AlreadyReported, NoSupport
from consult.models import Comment, CommentFeed, Proposal, Report, Support
from tests import factories
from tests.concurrency import hammer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_write_limits"),
]
THREADS = 32


def assert_counter_matches(proposal):
    proposal.refresh_from_db()
    assert proposal.supports == Support.objects.filter(proposal=proposal).count()


@pytest.fixture
def page():
    assert connection.vendor == "postgresql"
    return factories.make_proposal_consultation(moderation="post")


@pytest.fixture
def proposal(page):
    return Proposal.objects.select_related("page").get(pk=factories.make_proposal(page).pk)


def test_32_citizens_support_at_once(proposal):
    citizens = [factories.make_user() for _ in range(THREADS)]
    outcomes = hammer([(lambda c=c: services.support_proposal(c, proposal)) for c in citizens])
    assert all(o.changed for o in outcomes), outcomes
    assert_counter_matches(proposal)
    assert proposal.supports == THREADS
    assert proposal.version == THREADS  # one version per change, none lost
    assert sorted(o.supports for o in outcomes) == list(range(1, THREADS + 1))


def test_one_citizen_32_threads_counts_once(proposal):
    citizen = factories.make_user()
    outcomes = hammer([lambda: services.support_proposal(citizen, proposal)] * THREADS)
    assert Counter(o.changed for o in outcomes) == {True: 1, False: THREADS - 1}
    assert_counter_matches(proposal)
    assert proposal.supports == 1


def test_one_citizen_withdraws_in_32_threads(proposal):
    citizen = factories.make_user()
    services.support_proposal(citizen, proposal)
    outcomes = hammer([lambda: services.withdraw_support(citizen, proposal)] * THREADS)
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"SupportResult": 1, "NoSupport": THREADS - 1}
    assert all(isinstance(o, NoSupport) for o in outcomes if not hasattr(o, "changed"))
    assert_counter_matches(proposal)
    assert proposal.supports == 0


def test_supports_and_withdrawals_interleaved(proposal):
    citizens = [factories.make_user() for _ in range(16)]
    for citizen in citizens[:8]:
        services.support_proposal(citizen, proposal)
    calls = [(lambda c=c: services.withdraw_support(c, proposal)) for c in citizens[:8]]
    calls += [(lambda c=c: services.support_proposal(c, proposal)) for c in citizens]
    outcomes = hammer(calls)
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, NoSupport)]
    assert_counter_matches(proposal)


def test_concurrent_comments_number_every_change(page):
    citizens = [factories.make_user() for _ in range(THREADS)]
    outcomes = hammer(
        [(lambda c=c: services.post_comment(c, page, body="At once")) for c in citizens]
    )
    assert all(isinstance(o, Comment) for o in outcomes), outcomes
    assert CommentFeed.objects.get(page=page).version == THREADS


def test_one_report_per_citizen_under_concurrency(page):
    citizen = factories.make_user()
    comment = factories.make_comment(page)
    outcomes = hammer([lambda: services.report(citizen, comment, reason="spam")] * THREADS)
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"Report": 1, "AlreadyReported": THREADS - 1}
    assert all(isinstance(o, AlreadyReported) for o in outcomes if not isinstance(o, Report))
    assert Report.objects.filter(comment=comment).count() == 1


def test_moderator_and_author_race(page):
    page.moderation = "pre"
    page.save()
    moderator = factories.make_moderator()
    author = factories.make_user()
    proposals = [factories.make_proposal(page, author=author, status="pending") for _ in range(8)]
    calls = [(lambda p=p: moderation.moderate(moderator, p, "approve")) for p in proposals]
    calls += [(lambda p=p: services.withdraw_proposal(author, p)) for p in proposals]
    outcomes = hammer(calls)
    assert not [
        o for o in outcomes if isinstance(o, Exception) and o.__class__.__name__ != "NotEditable"
    ]
    for proposal in proposals:
        assert Proposal.objects.get(pk=proposal.pk).status in ("published", "withdrawn")
