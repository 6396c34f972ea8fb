#!/usr/bin/env python
"""One phase event ("voting has opened") to many followers: time and queries.

    .venv/bin/python bench/notify.py [--followers 1000 10000] [--batch 500]

Uses the test settings with a fresh database: a SQLite file in a temporary
directory, or PostgreSQL when CONSULT_TEST_DATABASE_URL is set (a database
named ``consult_bench_notify_<pid>`` is created there and dropped afterwards).
Tasks run on the immediate backend and e-mails go to Django's in-memory
backend, so the figures are the package's own work (rendering, SQL, task
hand-offs), not a mail server's. For each size it prints the wall time of
``consult_notify``'s run, the tasks it took, the e-mails sent, the queries in
all and per batch, and queries per e-mail, which must not grow with the
number of followers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZES = (1000, 10000)


def configure(tmp: str, batch: int) -> str:
    sys.path.insert(0, str(REPO))
    import django
    from django.conf import settings

    import tests.settings as test_settings

    values = {name: getattr(test_settings, name) for name in dir(test_settings) if name.isupper()}
    database = dict(values["DATABASES"]["default"])
    if os.environ.get("CONSULT_TEST_DATABASE_URL"):
        database["TEST"] = {"NAME": f"consult_bench_notify_{os.getpid()}"}
        backend = "PostgreSQL"
    else:
        path = str(Path(tmp) / "bench.sqlite3")
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "TEST": {"NAME": path}}
        backend = "SQLite (file)"
    values["DATABASES"] = {"default": database}
    values["DEBUG"] = False
    values["CONSULT"] = {"NOTIFY_BATCH_SIZE": batch, "DIGEST_HOUR": 24}
    settings.configure(**values)
    django.setup()
    return backend


def seed(size: int):
    from django.contrib.auth import get_user_model

    from consult.models import Follow
    from tests import factories

    page = factories.make_consultation(title=f"Harbour {size}")
    User = get_user_model()
    prefix = f"f{size}-"
    User.objects.bulk_create(
        [
            User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.org", password="!")  # noqa: S106 - unusable
            for n in range(size)
        ],
        batch_size=2000,
    )
    users = User.objects.filter(username__startswith=prefix).values_list("pk", flat=True)
    Follow.objects.bulk_create([Follow(user_id=pk, page=page) for pk in users], batch_size=2000)
    return page


def run(size: int) -> dict:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tasks.signals import task_enqueued

    from consult.notifications import schedule

    seed(size)
    mail.outbox = []
    tasks = []

    def count(sender, task_result, **kwargs):
        tasks.append(task_result.task.name)

    task_enqueued.connect(count)
    try:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            events = schedule.announce_phases(timezone.now())
            seconds = time.perf_counter() - start
    finally:
        task_enqueued.disconnect(count)
    assert len(events) == 1, events
    sent = len(mail.outbox)
    assert sent == size, (sent, size)
    queries = len(captured.captured_queries)
    return {
        "followers": size,
        "seconds": seconds,
        "tasks": len(tasks),
        "emails": sent,
        "queries": queries,
        "per_batch": queries / max(1, len(tasks)),
        "per_email": queries / sent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--batch", type=int, default=500, help="CONSULT['NOTIFY_BATCH_SIZE']")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="consult-bench-") as tmp:
        backend = configure(tmp, args.batch)
        from django.core.cache import cache
        from django.db import connection

        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=False, serialize=False)
        try:
            # Warm the site's URL cache and the template loaders once.
            run(10)
            rows = [run(size) for size in args.followers]
        finally:
            cache.clear()
            connection.creation.destroy_test_db(old_name, verbosity=0)

    print(
        f"wagtail-consult: one phase event to N followers on {backend}, "
        f"batches of {args.batch}, immediate task backend, in-memory mail\n"
    )
    header = (
        f"{'followers':>9} {'seconds':>8} {'e-mails/s':>9} {'tasks':>5} {'e-mails':>7} "
        f"{'queries':>7} {'per task':>8} {'per e-mail':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['followers']:>9} {row['seconds']:>8.2f} {row['emails'] / row['seconds']:>9.0f} "
            f"{row['tasks']:>5} {row['emails']:>7} {row['queries']:>7} "
            f"{row['per_batch']:>8.1f} {row['per_email']:>10.4f}"
        )


if __name__ == "__main__":
    main()
