"""Results bundle of a big vote: build it and verify it, time and peak memory.

Seeds one ranked question with N ballots (log entries, ballots, tally: as
the ballot service would have left them, written with COPY), then builds
the signed bundle with ``consult.ledger.bundle`` and checks it with
``python -m consult.verify``, each in its own process started from this
small one (a child forked from a big process would count its parent's
memory in its peak), so each peak resident size is that step's own.

    .venv/bin/python bench/bundle.py                  # 1,000,000 ballots
    .venv/bin/python bench/bundle.py --ballots 100000

Needs PostgreSQL (--database, default postgres://postgres@127.0.0.1:5432/
consult_bundle_bench; created and migrated if missing).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/consult_bundle_bench"
KEY = base64.b64encode(bytes(range(32))).decode()


def setup(database: str) -> None:
    from bench.fanout import configure, ensure_database

    configure(database, None)
    from django.conf import settings

    settings.CONSULT = {**getattr(settings, "CONSULT", {}), "SIGNING_KEY": KEY}
    ensure_database(database)


def seed(ballots: int) -> int:
    """A consultation whose ranked question has ``ballots`` cast ballots; its id."""
    from django.db import connection, transaction

    from bench.fanout import make_consultation
    from consult.ledger.log import definition
    from consult.models import LogHead, Question, Tally, TallyCount
    from consult.verify.chain import canonical, genesis, make_entry

    page = make_consultation(f"bundle-{ballots}")
    question = Question.objects.get(page=page)
    question.method = "ranked"
    question.save()
    from consult.models import Option

    for label in ("North", "South", "East", "West"):
        Option.objects.create(question=question, label=label)
    question = Question.objects.prefetch_related("options").get(pk=question.pk)
    ids = [option.pk for option in question.options.all()]
    prev = genesis(definition(question))
    first = Counter()
    rng = random.Random(1)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY consult_logentry (question_id, seq, event, receipt_hash, ballot, prev, hash) "
            "FROM STDIN"
        ) as log_copy:
            for seq in range(1, ballots + 1):
                ranking = rng.sample(ids, rng.randint(1, len(ids)))
                ballot = {"ranking": ranking}
                receipt = uuid.UUID(int=rng.getrandbits(128)).hex * 2
                entry = make_entry(seq, "cast", receipt, ballot, prev)
                prev = entry["hash"]
                first[str(ranking[0])] += 1
                log_copy.write_row(
                    (
                        question.pk,
                        seq,
                        "cast",
                        receipt,
                        canonical(ballot).decode(),
                        entry["prev"],
                        prev,
                    )
                )
        rng = random.Random(1)
        with raw.copy("COPY consult_ballot (id, question_id, digest, content) FROM STDIN") as copy:
            for seq in range(1, ballots + 1):
                ranking = rng.sample(ids, rng.randint(1, len(ids)))
                rng.getrandbits(128)
                copy.write_row(
                    (uuid.uuid4(), question.pk, f"{seq:064x}", json.dumps({"ranking": ranking}))
                )
        LogHead.objects.create(question=question, seq=ballots, prev="", hash=prev)
        Tally.objects.create(question=question, version=ballots, ballots=ballots)
        TallyCount.objects.bulk_create(
            TallyCount(question=question, key=key, votes=votes) for key, votes in first.items()
        )
    return page.pk


def run_measured(command: list[str], env: dict) -> tuple[float, int, int]:
    """``(seconds, exit status, peak resident MiB)`` of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    _pid, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, os.waitstatus_to_exitcode(status), usage.ru_maxrss // 1024


def build(database: str, page_id: int, path: str) -> None:
    setup(database)
    from consult.ledger.bundle import write_bundle
    from consult.models import ConsultationPage
    from consult.voting.tally import tally_payload

    with open(path, "wb") as out:
        write_bundle(ConsultationPage.objects.get(pk=page_id), out, tally_payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=2, metavar=("PAGE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        setup(args.database)
        print(seed(args.ballots))
        return
    if args.build:
        build(args.database, int(args.build[0]), args.build[1])
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    here = [sys.executable, __file__, "--database", args.database]
    started = time.perf_counter()
    seeding = [*here, "--seed", "--ballots", str(args.ballots)]
    page_id = subprocess.run(seeding, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    seeded = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "results.zip")
        build_s, build_rc, build_mib = run_measured(
            [*here, "--build", page_id.stdout.split()[-1], path], env
        )
        size = os.path.getsize(path) / 2**20
        verify_s, verify_rc, verify_mib = run_measured(
            [sys.executable, "-m", "consult.verify", path, "--quiet"], env
        )
    print(f"\nbundle of {args.ballots:,} ranked ballots (seeded in {seeded:.0f} s)\n")
    print("| step | seconds | peak RSS MiB | exit |")
    print("| --- | --- | --- | --- |")
    print(f"| build (consult.ledger.bundle) | {build_s:.1f} | {build_mib} | {build_rc} |")
    print(f"| verify (python -m consult.verify) | {verify_s:.1f} | {verify_mib} | {verify_rc} |")
    print(f"\nresults.zip: {size:.1f} MiB")
    if build_rc or verify_rc:
        sys.exit(1)


if __name__ == "__main__":
    main()
