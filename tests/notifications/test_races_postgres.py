"""consult_notify and its tasks under concurrency on a real PostgreSQL: many
threads (each with its own connection) doing the same work at once still send
every e-mail exactly once."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from consult.models import Digest, PhaseEvent
from consult.notifications import delivery, follows, preferences, schedule
from tests import factories
from tests.concurrency import hammer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def recipients() -> Counter:
    return Counter(message.to[0] for message in mail.outbox)


@pytest.fixture
def followed(settings):
    assert connection.vendor == "postgresql"
    settings.CONSULT = {"NOTIFY_BATCH_SIZE": 7, "DIGEST_HOUR": 24}
    page = factories.make_consultation()
    users = [factories.make_user() for _ in range(30)]
    for user in users:
        follows.follow(user, page)
    return page, users


def test_consult_notify_run_by_many_at_once_sends_each_email_once(followed):
    _page, users = followed
    outcomes = hammer([schedule.run for _ in range(THREADS)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert PhaseEvent.objects.count() == 1
    assert recipients() == Counter({user.email: 1 for user in users})


def test_one_batch_run_by_many_workers_sends_each_email_once(followed):
    page, users = followed
    event = PhaseEvent.objects.create(page=page, event="voting_open", due_at=page.voting_open_at)
    outcomes = hammer([(lambda: delivery.fan_out(event.pk, 0)) for _ in range(THREADS)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    first_batch = sorted(users, key=lambda user: user.pk)[:7]
    assert recipients() == Counter({user.email: 1 for user in first_batch})


def test_digests_started_by_many_at_once_go_out_once(followed, settings):
    _page, users = followed
    for user in users:
        preferences.update(user, email="daily")
    schedule.run()  # records the notifications; daily people get no e-mail yet
    assert mail.outbox == []
    settings.TIME_ZONE = "UTC"
    settings.CONSULT = {"NOTIFY_BATCH_SIZE": 7, "DIGEST_HOUR": 0}
    now = datetime.now(UTC) + timedelta(seconds=1)
    outcomes = hammer([(lambda: schedule.start_digests(now)) for _ in range(THREADS)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert recipients() == Counter({user.email: 1 for user in users})
    assert Digest.objects.count() == len(users)
