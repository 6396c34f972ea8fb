from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.utils import translation

from consult import conf
from tests import factories

POSTGRES = bool(os.environ.get("CONSULT_TEST_DATABASE_URL"))
REDIS_URL = os.environ.get("CONSULT_TEST_REDIS_URL")
# CI sets this so that a missing service fails the run instead of skipping.
REQUIRE_ALL = bool(os.environ.get("CONSULT_TEST_REQUIRE_ALL"))


def pytest_collection_modifyitems(config, items):
    if REQUIRE_ALL and not (POSTGRES and REDIS_URL and shutil.which("chromium")):
        raise pytest.UsageError(
            "CONSULT_TEST_REQUIRE_ALL is set but CONSULT_TEST_DATABASE_URL, "
            "CONSULT_TEST_REDIS_URL or Debian's chromium is missing"
        )
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: set CONSULT_TEST_DATABASE_URL=postgres://... (as .ci/run does)"
    )
    skip_redis = pytest.mark.skip(
        reason="needs Redis: set CONSULT_TEST_REDIS_URL=redis://... (as .ci/run does)"
    )
    for item in items:
        if "postgres" in item.keywords and not POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _default_language():
    # A test that renders a page in another language (the locale middleware
    # activates it for the thread) must not leave it active for the next.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; every test starts from zero.
    from django.core.cache import cache

    from consult import outages

    # So are outages: one a test provoked is not still going on in the next.
    outages.reset_all()
    cache.clear()
    yield
    cache.clear()
    outages.reset_all()


@pytest.fixture
def citizen(db):
    return factories.make_user()


@pytest.fixture
def unverified(db):
    return factories.make_user(verified=False)


@pytest.fixture
def consultation(db):
    return factories.make_consultation(
        questions=[
            {"title": "Car-free square?", "method": "yes_no"},
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]},
        ]
    )


@pytest.fixture
def yes_no(consultation):
    return consultation.questions.select_related("page").get(method="yes_no")


@pytest.fixture
def single(consultation):
    return consultation.questions.select_related("page").get(method="single")


@pytest.fixture
def no_write_limits(settings):
    """Race tests hammer one account from many threads at once: that is the
    point, and the write limits (tested on their own) must not hide it."""
    settings.CONSULT = {
        **settings.CONSULT,
        "THROTTLE_RATES": dict.fromkeys(conf.DEFAULTS["THROTTLE_RATES"]),
        "THROTTLE_IP_RATES": dict.fromkeys(conf.DEFAULTS["THROTTLE_IP_RATES"]),
    }
