"""The ballot log under concurrency on a real PostgreSQL (SPEC §11): 32
threads casting, replacing and withdrawing at once leave one gapless chain
whose replay is exactly the stored ballots and the tally."""

import base64
from collections import Counter

import pytest
from django.db import connection
from django.test import override_settings

from consult.ledger import bundle, log
from consult.models import Ballot, LogEntry
from consult.verify.bundle import verify_bundle
from consult.verify.chain import canonical, entry_hash, genesis
from consult.voting import services
from consult.voting.tally import recount, stored_counts, tally_payload
from tests import factories
from tests.concurrency import hammer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_write_limits"),
]
THREADS = 32


@pytest.fixture
def question():
    assert connection.vendor == "postgresql"
    page = factories.make_consultation(
        results_visibility="live",
        questions=[{"title": "Order?", "method": "ranked", "options": ["A", "B", "C"]}],
    )
    return factories.first_question(page)


def test_32_threads_leave_a_valid_chain_whose_replay_is_the_tally(question, tmp_path):
    options = list(question.options.order_by("sort_order", "pk").values_list("pk", flat=True))
    voters = [factories.make_user() for _ in range(THREADS)]
    # Half the voters have a ballot already, so the race mixes all three events.
    for voter in voters[::2]:
        services.cast_ballot(voter, question, {"ranking": options[:2]})

    def act(n, voter):
        if n % 4 == 0:
            return services.retract_ballot(voter, question)
        return services.cast_ballot(
            voter, question, {"ranking": [options[n % 3], options[(n + 1) % 3]]}
        )

    outcomes = hammer([lambda n=n, v=v: act(n, v) for n, v in enumerate(voters)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []

    entries = list(log.entries(question, upto=10**9))
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) == THREADS // 2 + THREADS
    prev = genesis(log.definition(question))
    replay = {}
    for entry in entries:
        assert entry["prev"] == prev and entry["hash"] == entry_hash(entry)
        prev = entry["hash"]
        if entry["event"] == "withdraw":
            del replay[entry["receipt_hash"]]
        else:
            assert (entry["event"] == "replace") == (entry["receipt_hash"] in replay)
            replay[entry["receipt_hash"]] = entry["ballot"]
    assert log.head(question).hash == prev
    stored = Counter(
        canonical(c)
        for c in Ballot.objects.filter(question=question).values_list("content", flat=True)
    )
    assert Counter(canonical(b) for b in replay.values()) == stored
    version, ballots, counts = stored_counts(question)
    assert (ballots, counts) == recount(question)
    assert version == len(entries) and ballots == len(replay)

    key = base64.b64encode(bytes(32)).decode()
    path = tmp_path / "results.zip"
    with override_settings(CONSULT={"SIGNING_KEY": key}), path.open("wb") as out:
        bundle.write_bundle(question.page, out, tally_payload)
    assert verify_bundle(str(path)).problems == []
    assert LogEntry.objects.filter(question=question).count() == len(entries)
