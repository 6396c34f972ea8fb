"""Two accounts claim one census entry at the same instant: exactly one wins."""

from __future__ import annotations

import pytest
from django.db import connection

from consult.eligibility import census
from consult.exceptions import CensusEntryClaimed
from consult.models import CensusEntry
from tests import factories
from tests.concurrency import hammer
from tests.eligibility_helpers import make_census

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("accounts", [2, 16])
def test_exactly_one_account_wins_an_entry(accounts):
    assert connection.vendor == "postgresql"
    make_census(rows=[("A1", "1990-01-01", "")])
    users = [factories.make_user() for _ in range(accounts)]
    outcomes = hammer(
        [(lambda u=u: census.claim(u, ["residents"], "A1", "1990-01-01")) for u in users]
    )
    winners = [o for o in outcomes if isinstance(o, CensusEntry)]
    assert len(winners) == 1
    assert all(isinstance(o, CensusEntryClaimed) for o in outcomes if o not in winners)
    entry = CensusEntry.objects.get()
    assert entry.claimed_by_id == winners[0].claimed_by_id


def test_one_account_claiming_two_entries_at_once_holds_one():
    make_census(rows=[("A1", "1990-01-01", ""), ("B2", "1990-01-01", "")])
    user = factories.make_user()
    hammer(
        [
            lambda: census.claim(user, ["residents"], "A1", "1990-01-01"),
            lambda: census.claim(user, ["residents"], "B2", "1990-01-01"),
        ]
    )
    assert CensusEntry.objects.filter(claimed_by=user).count() == 1
