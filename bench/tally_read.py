"""Tally read time at 10, 10,000 and 1,000,000 ballots on PostgreSQL.

    CONSULT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/consult \\
        .venv/bin/python bench/tally_read.py

Creates a throwaway database ``<name>_bench``, fills one question per size
with ballots and counters exactly as the service leaves them (bulk SQL, so
seeding a million takes seconds), then times ``tally_payload()`` — what the
API, the page and the broadcaster call — and prints the ratio to the
10-ballot case. Target: at most 1.2x.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

SIZES = (10, 10_000, 1_000_000)
READS = 300


def main() -> None:
    if not os.environ.get("CONSULT_TEST_DATABASE_URL"):
        sys.exit("Set CONSULT_TEST_DATABASE_URL to a PostgreSQL URL.")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        sys.exit("This benchmark measures PostgreSQL.")
    # A separate database from the test suite's, created and dropped here.
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench"
    config = setup_databases(verbosity=0, interactive=False)
    try:
        rows = [measure(size) for size in SIZES]
    finally:
        teardown_databases(config, verbosity=0)
    base = rows[0][1]
    print(f"\ntally read, PostgreSQL, median of {READS} reads after warm-up")
    print(f"{'ballots':>10} | {'median ms':>9} | {'p95 ms':>7} | {'queries':>7} | ratio to 10")
    print("-" * 58)
    for size, median, p95, queries in rows:
        print(f"{size:>10,} | {median:9.3f} | {p95:7.3f} | {queries:>7} | {median / base:10.2f}x")


def measure(size: int) -> tuple[int, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consult.voting.tally import tally_payload
    from tests import factories

    page = factories.make_consultation(
        questions=[{"title": f"{size} ballots", "method": "single", "options": ["A", "B", "C"]}]
    )
    question = factories.first_question(page)
    seed(question, size)
    for _ in range(20):
        tally_payload(question)
    timings = []
    for _ in range(READS):
        start = time.perf_counter()
        payload = tally_payload(question)
        timings.append((time.perf_counter() - start) * 1000)
    assert payload["ballots"] == size, payload
    with CaptureQueriesContext(connection) as queries:
        tally_payload(question)
    timings.sort()
    return size, statistics.median(timings), timings[int(len(timings) * 0.95)], len(queries)


def seed(question, size: int) -> None:
    """Ballots round-robin over the options, and the counters that match them."""
    from django.db import connection

    from consult.models import Ballot, Tally, TallyCount

    options = list(question.options.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Ballot._meta.db_table} (id, question_id, digest, content)
            SELECT gen_random_uuid(), %s, md5(n::text) || md5((n + 1)::text),
                   jsonb_build_object('option', (%s::bigint[])[1 + n %% %s])
            FROM generate_series(0, %s - 1) AS n
            """,  # noqa: S608  (table name from the model, values as parameters)
            [question.pk, options, len(options), size],
        )
        cursor.execute("ANALYZE")
    Tally.objects.update_or_create(question=question, defaults={"version": size, "ballots": size})
    for index, option in enumerate(options):
        votes = len(range(index, size, len(options)))
        TallyCount.objects.create(question=question, key=str(option), votes=votes)


if __name__ == "__main__":
    main()
