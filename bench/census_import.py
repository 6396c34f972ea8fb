"""Census import at city scale: time and peak memory of ``consult_census import``
for 1,500,000 rows, and the claim look-up by index.

    .venv/bin/python bench/census_import.py
    .venv/bin/python bench/census_import.py --rows 200000

Writes a CSV of random identifiers, birth dates and postcodes to a temporary
file, imports it with the management command in a child process (its peak
resident memory is the child's ``ru_maxrss``), imports it again with
``--replace``, then times claim look-ups and prints the plan of one.

Needs PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/consult_bench_census; created and
migrated if missing). Targets: at most 2 minutes and 300 MB for 1.5 M rows.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fanout import configure, ensure_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/consult_bench_census"


def write_csv(path: Path, rows: int, seed: int) -> list[tuple[str, str]]:
    """``rows`` residents; returns a sample of (identifier, birth date) to claim."""
    rng = random.Random(seed)
    start = date(1920, 1, 1)
    sample = []
    with path.open("w", encoding="utf-8") as out:
        out.write("id_number,birth_date,postcode\n")
        for n in range(rows):
            identifier = f"{rng.randrange(10**9):09d}{'ABCDEFGHJK'[n % 10]}"
            born = (start + timedelta(days=rng.randrange(36500))).isoformat()
            out.write(f"{identifier},{born},{10000 + rng.randrange(900)}\n")
            if n % (rows // 100 or 1) == 0:
                sample.append((identifier, born))
    return sample


def run_import(path: Path, name: str, replace: bool) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one import in a child process."""
    command = [
        sys.executable,
        "-c",
        "import sys; from bench.census_import import child; child(sys.argv[1:])",
        name,
        str(path),
        *(["--replace"] if replace else []),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far (KiB on Linux).
    return seconds, max(peak, before) / 1024


def child(argv: list[str]) -> None:
    configure(os.environ["DATABASE_URL"], None)
    from django.core.management import call_command

    name, path, *rest = argv
    call_command(
        "consult_census",
        "import",
        name,
        path,
        "--identifier-column",
        "id_number",
        "--birth-date-column",
        "birth_date",
        "--postcode-column",
        "postcode",
        *rest,
        verbosity=0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--lookups", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    configure(os.environ["DATABASE_URL"], None)
    ensure_database(os.environ["DATABASE_URL"])

    from django.db import connection

    from consult.eligibility import census
    from consult.models import CensusEntry

    name = f"bench-{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "census.csv"
        started = time.perf_counter()
        sample = write_csv(path, args.rows, args.seed)
        written = time.perf_counter() - started
        size = path.stat().st_size / 2**20
        first, first_peak = run_import(path, name, replace=False)
        again, again_peak = run_import(path, name, replace=True)

    entries = CensusEntry.objects.filter(census__name=name).count()
    timings = []
    for identifier, born in (sample * (args.lookups // len(sample) + 1))[: args.lookups]:
        started = time.perf_counter()
        digest = census.entry_digest(identifier, born)
        found = CensusEntry.objects.filter(census__name=name, digest=digest).first()
        timings.append(time.perf_counter() - started)
        assert found is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM consult_censusentry WHERE census_id = "
            "(SELECT id FROM consult_census WHERE name = %s) AND digest = %s",
            [name, census.entry_digest(*sample[0])],
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    timings.sort()

    print(f"## Census import, {args.rows:,} rows ({size:.0f} MB CSV, written in {written:.1f} s)\n")
    print("| run | seconds | rows/s | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| first import | {first:.1f} | {args.rows / first:,.0f} | {first_peak:.0f} |")
    print(f"| again with --replace | {again:.1f} | {args.rows / again:,.0f} | {again_peak:.0f} |")
    print(f"\nentries stored: {entries:,}")
    print(
        f"claim look-up ({len(timings)}): p50 {timings[len(timings) // 2] * 1000:.2f} ms, "
        f"max {timings[-1] * 1000:.2f} ms"
    )
    print(f"plan: {plan}")
    CensusEntry.objects.filter(census__name=name).delete()


if __name__ == "__main__":
    main()
