#!/usr/bin/env python
"""Render time and query count of the contribution pages as data grows.

    .venv/bin/python bench/page_render.py [--repeat 5]

Uses the test settings with a fresh database: a SQLite file in a temporary
directory, or PostgreSQL when CONSULT_TEST_DATABASE_URL is set (a database
named ``consult_bench_pages_<pid>`` is created there and dropped afterwards). For each
size it seeds one consultation with N/10 proposals and N comments (threads
three deep, some pending or hidden) and prints, for an anonymous visitor, the
median time and the number of queries of the consultation page, its proposal
list and the comments API. The query counts should not grow with N.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZES = (50, 500, 5000)


def configure(tmp: str) -> str:
    sys.path.insert(0, str(REPO))
    import django
    from django.conf import settings

    import tests.settings as test_settings

    values = {name: getattr(test_settings, name) for name in dir(test_settings) if name.isupper()}
    database = dict(values["DATABASES"]["default"])
    if os.environ.get("CONSULT_TEST_DATABASE_URL"):
        # Its own database, never one a concurrent run (or another bench) uses.
        database["TEST"] = {"NAME": f"consult_bench_pages_{os.getpid()}"}
        backend = "PostgreSQL"
    else:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(tmp) / "bench.sqlite3"),
            "TEST": {"NAME": str(Path(tmp) / "bench.sqlite3")},
        }
        backend = "SQLite (file)"
    values["DATABASES"] = {"default": database}
    values["DEBUG"] = False
    settings.configure(**values)
    django.setup()
    return backend


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (site root paths, templates)
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return statistics.median(times) * 1000, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders per page (median)")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="consult-bench-") as tmp:
        backend = configure(tmp)
        from django.db import connection
        from django.test import Client

        from tests import factories

        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=False, serialize=False)
        try:
            rows = []
            for size in args.sizes:
                page = factories.make_proposal_consultation(moderation="post")
                factories.seed_contributions(page, max(1, size // 10), size)
                client = Client()
                targets = {
                    "consultation page": page.url,
                    "proposal list": f"{page.url}proposals/?sort=supports",
                    "comments API": (
                        f"/consult/api/v1/consultations/{page.pk}/comments/?page_size=100"
                    ),
                }
                for name, url in targets.items():
                    ms, queries = measure(client, url, args.repeat)
                    rows.append((size, max(1, size // 10), name, ms, queries))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"wagtail-consult contribution pages on {backend}, anonymous visitor, "
        f"median of {args.repeat} renders\n"
    )
    header = f"{'comments':>8} {'proposals':>9}  {'view':<18} {'ms':>8} {'queries':>7}"
    print(header)
    print("-" * len(header))
    for size, proposals, name, ms, queries in rows:
        print(f"{size:>8} {proposals:>9}  {name:<18} {ms:>8.1f} {queries:>7}")


if __name__ == "__main__":
    main()
