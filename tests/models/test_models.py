from datetime import UTC, datetime, timedelta

import pytest

from consult.models import ConsultationPage

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def page(**phases):
    return ConsultationPage(title="x", **phases)


@pytest.mark.parametrize(
    ("phases", "now", "status"),
    [
        ({}, T0, "closed"),
        ({"proposals_open_at": T0 + DAY}, T0, "upcoming"),
        ({"proposals_open_at": T0 - DAY}, T0, "proposals"),
        ({"proposals_open_at": T0 - DAY, "proposals_close_at": T0}, T0, "closed"),
        (
            {
                "proposals_open_at": T0 - 2 * DAY,
                "proposals_close_at": T0 - DAY,
                "voting_open_at": T0 + DAY,
            },
            T0,
            "upcoming",
        ),
        ({"voting_open_at": T0, "voting_close_at": T0 + DAY}, T0, "voting"),
        ({"voting_open_at": T0 - DAY, "voting_close_at": T0}, T0, "closed"),
        ({"voting_open_at": T0 - DAY}, T0 + 100 * DAY, "voting"),
        # Both phases at once: voting is what a visitor can do that matters most.
        ({"proposals_open_at": T0 - DAY, "voting_open_at": T0 - DAY}, T0, "voting"),
    ],
)
def test_status_from_phases(db, phases, now, status):
    assert page(**phases).status_at(now) == status


def test_voting_state_boundaries(db):
    p = page(voting_open_at=T0, voting_close_at=T0 + DAY)
    assert p.voting_state(T0 - timedelta(seconds=1)) == "not_open"
    assert p.voting_state(T0) == "open"
    assert p.voting_state(T0 + DAY - timedelta(seconds=1)) == "open"
    assert p.voting_state(T0 + DAY) == "closed"


def test_index_filters_children_by_status(db):
    from django.utils import timezone

    from tests import factories

    index = factories.make_index()
    now = timezone.now()
    open_page = factories.make_consultation(index)
    upcoming = factories.make_consultation(
        index, voting_open_at=now + DAY, voting_close_at=now + 2 * DAY
    )
    closed = factories.make_consultation(
        index, voting_open_at=now - 2 * DAY, voting_close_at=now - DAY
    )
    factories.make_consultation()  # another index's child

    def ids(status):
        return {p.pk for p in index.consultations(status)}

    assert ids(None) == {open_page.pk, upcoming.pk, closed.pk}
    assert ids("open") == {open_page.pk}
    assert ids("upcoming") == {upcoming.pk}
    assert ids("closed") == {closed.pk}
