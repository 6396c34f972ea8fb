"""A cache that fails: writes are still accepted and limited, pages answer,
computed results are computed. Without a Redis server: the cache is one
that raises, or the fail-safe Redis cache pointed at a closed port."""

import json
import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from consult import ratelimit as throttling
from consult.actor import Actor
from consult.cache import FailSafeRedisCache
from consult.models import Ballot
from consult.outages import Outage
from consult.voting import services, tally
from tests import factories
from tests.multiprocess.servers import free_port

API = "/consult/api/v1"


class BrokenCache(LocMemCache):
    """Every operation fails as a client does when Redis is unreachable."""

    def __init__(self):
        super().__init__("broken", {})
        self.calls = 0

    def _fail(self, *args, **kwargs):
        self.calls += 1
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = get_many = set = add = delete = has_key = incr = _fail


@pytest.fixture
def broken(monkeypatch):
    cache = BrokenCache()
    monkeypatch.setattr(throttling, "cache", cache)
    monkeypatch.setattr(tally, "cache", cache)
    monkeypatch.setattr(throttling, "shared_outage", Outage("the test cache", retry_after=60))
    throttling.local_counters.clear()
    yield cache
    throttling.local_counters.clear()


@pytest.fixture
def fail_safe(settings):
    """The default cache: Redis on a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "consult.cache.FailSafeRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "RETRY_AFTER": 60},
        }
    }
    cache = caches["default"]
    assert isinstance(cache, FailSafeRedisCache)
    yield cache
    throttling.local_counters.clear()


@pytest.mark.django_db
def test_ballots_are_accepted_and_still_limited_per_worker(
    broken, settings, citizen, client, caplog
):
    settings.CONSULT = {"THROTTLE_RATES": {"ballot": "3/minute"}}
    client.force_login(citizen)
    question = factories.make_consultation(questions=[{"title": "Q?", "method": "yes_no"}])
    question = factories.first_question(question)
    url = f"{API}/questions/{question.pk}/ballot/"
    with caplog.at_level(logging.WARNING, logger="consult"):
        statuses = [
            client.post(
                url, json.dumps({"choice": "yes"}), content_type="application/json"
            ).status_code
            for _ in range(5)
        ]
    # Counted in this process's memory meanwhile: the limit still holds.
    assert statuses == [201, 200, 200, 429, 429]
    assert Ballot.objects.filter(question=question).count() == 1
    # One line for the outage, not one per request, and no traceback.
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    # Left alone after the first failure: no request waits on a dead cache.
    assert broken.calls == 1


def test_the_shared_cache_is_used_again_once_it_answers(monkeypatch, caplog):
    outage = Outage("the test cache", retry_after=0)
    monkeypatch.setattr(throttling, "shared_outage", outage)
    shared = LocMemCache("shared-again", {})
    monkeypatch.setattr(throttling, "cache", BrokenCache())
    request = Actor(user=AnonymousUser(), address="10.1.1.1")
    with caplog.at_level(logging.WARNING, logger="consult"):
        assert throttling.check_rate("ballot", request) is None
        monkeypatch.setattr(throttling, "cache", shared)
        assert throttling.check_rate("ballot", request) is None
    assert list(shared._cache), "counted in the shared cache again"
    assert "is back after" in caplog.text


@pytest.mark.django_db
def test_ranked_rounds_are_computed_without_the_cache(broken, monkeypatch):
    page = factories.make_consultation(
        questions=[{"title": "Rank", "method": "ranked", "options": ["A", "B", "C"]}]
    )
    question = factories.first_question(page)
    a, b, c = (option.pk for option in question.options.all())
    for ranking in ([a, b], [b, a], [a]):
        services.cast_ballot(factories.make_user(), question, {"ranking": ranking})
    without = tally.tally_payload(question)
    assert broken.calls >= 1
    monkeypatch.setattr(tally, "cache", LocMemCache("working", {}))
    assert without == tally.tally_payload(question)
    assert without["ballots"] == 3 and without["rounds"]


@pytest.mark.django_db
def test_pages_and_ballots_answer_while_redis_is_down(fail_safe, citizen, client, caplog):
    page = factories.make_consultation(questions=[{"title": "Q?", "method": "yes_no"}])
    question = factories.first_question(page)
    client.force_login(citizen)
    with caplog.at_level(logging.WARNING, logger="consult"):
        assert client.get(page.url).status_code == 200
        response = client.post(
            f"{API}/questions/{question.pk}/ballot/",
            json.dumps({"choice": "no"}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert client.get(page.url).status_code == 200
    assert fail_safe.outage.down()
    assert Ballot.objects.filter(question=question).count() == 1
    assert caplog.text.count("is unavailable") == 1


def test_the_fail_safe_cache_answers_a_miss_and_forgets_writes(fail_safe):
    assert fail_safe.get("k", "default") == "default"
    fail_safe.set("k", 1)
    assert fail_safe.get_many(["k"]) == {}
    assert fail_safe.add("k", 1) is False
    with pytest.raises(ValueError):
        fail_safe.incr("k")
