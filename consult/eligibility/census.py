"""Census lists: keyed digests, a streamed import, and claiming an entry.

Only ``HMAC-SHA256(CENSUS_KEY, "IDENTIFIER|YYYY-MM-DD")`` of each row is
stored (with the postcode and birth year when asked): the key is a setting,
never in the database, so the table alone cannot be searched for a person.
Whoever has the key and the table can test guesses; see the threat model in
the documentation.

The import reads the file once, as a stream: rows are normalised and digested
one at a time and written in batches (PostgreSQL: ``COPY`` into a temporary
table, then one ``INSERT ... ON CONFLICT``), so memory does not grow with the
file. Progress is written to the ``Census`` row as it goes, in its own
transactions, for the admin to show.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult import conf
from consult.eligibility import normalise
from consult.exceptions import CensusEntryClaimed, NotEligible
from consult.models import Census, CensusEntry

BATCH = 20_000
PROGRESS_EVERY = 100_000
#: Rejected rows reported by line number; the rest are only counted.
REPORTED_REJECTIONS = 100


def _key() -> bytes:
    key = conf.get("CENSUS_KEY") or settings.SECRET_KEY
    return hashlib.sha256(b"consult.census-digest:" + key.encode()).digest()


def digester() -> Callable[[str, date], bytes]:
    """A function of (normalised identifier, birth date) -> digest, keyed once."""
    base = hmac.new(_key(), digestmod=hashlib.sha256)

    def digest(identifier: str, born: date) -> bytes:
        mac = base.copy()
        mac.update(f"{identifier}|{born.isoformat()}".encode())
        return mac.digest()

    return digest


def entry_digest(identifier: str, birth_date: str | date) -> bytes:
    """The digest of a person's identifier and birth date as they typed them.
    ``ValueError`` when either cannot be read."""
    return digester()(normalise.identifier(identifier), normalise.birth_date(birth_date))


@dataclass(frozen=True)
class Columns:
    identifier: str
    birth_date: str
    postcode: str | None = None


@dataclass
class Report:
    read: int = 0
    rejected: int = 0
    #: ``(line number, reason)`` of the first ``REPORTED_REJECTIONS`` rejected rows.
    rejections: list[tuple[int, str]] = field(default_factory=list)
    entries: int = 0

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < REPORTED_REJECTIONS:
            self.rejections.append((line, reason))


Row = tuple[bytes, str, int]


def missing_columns(header: Iterable[str], columns: Columns) -> list[str]:
    present = set(header)
    wanted = [
        columns.identifier,
        columns.birth_date,
        *([columns.postcode] if columns.postcode else []),
    ]
    return [name for name in wanted if name not in present]


def rows(reader: Iterator[dict[str, str]], columns: Columns, report: Report) -> Iterator[Row]:
    """Normalised ``(digest, postcode, birth year)`` per good row; bad rows go to ``report``."""
    digest = digester()
    for line, record in enumerate(reader, start=2):
        report.read += 1
        try:
            identifier = normalise.identifier(record.get(columns.identifier) or "")
        except ValueError:
            report.reject(line, str(_("no identifier")))
            continue
        try:
            born = normalise.birth_date(record.get(columns.birth_date) or "")
        except ValueError:
            report.reject(line, str(_("birth date not understood")))
            continue
        postcode = (
            normalise.postcode(record.get(columns.postcode) or "") if columns.postcode else ""
        )
        yield digest(identifier, born), postcode, born.year


def preview(
    stream: IO[str], columns: Columns, limit: int = 10, delimiter: str = ","
) -> tuple[list[dict], Report]:
    """The first ``limit`` rows as they will be read (identifier and date
    normalised, digest shortened), and a report on the whole file."""
    report = Report()
    reader = csv.DictReader(stream, delimiter=delimiter)
    shown: list[dict] = []
    for line, record in enumerate(reader, start=2):
        report.read += 1
        try:
            identifier = normalise.identifier(record.get(columns.identifier) or "")
            born = normalise.birth_date(record.get(columns.birth_date) or "")
        except ValueError as error:
            report.reject(
                line,
                str(_("no identifier"))
                if "identifier" in str(error)
                else str(_("birth date not understood")),
            )
            continue
        if len(shown) < limit:
            shown.append(
                {
                    "line": line,
                    "identifier": identifier,
                    "birth_date": born.isoformat(),
                    "postcode": normalise.postcode(record.get(columns.postcode) or "")
                    if columns.postcode
                    else "",
                }
            )
    return shown, report


def import_census(
    census: Census,
    stream: IO[str],
    columns: Columns,
    *,
    replace: bool = False,
    progress: Callable[[Report], None] | None = None,
    delimiter: str = ",",
) -> Report:
    """Add the rows of the CSV ``stream`` to ``census`` (or, with ``replace``,
    make the census exactly the file: entries not in it are removed, claims
    on them too). Entries already there keep their claims."""
    report = Report()
    for report in importing(census, stream, columns, replace=replace, delimiter=delimiter):
        if progress:
            progress(report)
    return report


def importing(
    census: Census,
    stream: IO[str],
    columns: Columns,
    *,
    replace: bool = False,
    delimiter: str = ",",
) -> Iterator[Report]:
    """``import_census`` step by step: the report so far after every
    ``PROGRESS_EVERY`` rows, and the final one (for a page that shows progress)."""
    reader = csv.DictReader(stream, delimiter=delimiter)
    missing = missing_columns(reader.fieldnames or [], columns)
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    report = Report()
    Census.objects.filter(pk=census.pk).update(
        status=Census.Status.IMPORTING, rows_read=0, rows_rejected=0, error=""
    )
    store = _store_postgresql if connection.vendor == "postgresql" else _store_batches
    try:
        for _chunk in store(census, rows(reader, columns, report), replace):
            Census.objects.filter(pk=census.pk).update(
                rows_read=report.read, rows_rejected=report.rejected
            )
            yield report
    except Exception as error:
        Census.objects.filter(pk=census.pk).update(status=Census.Status.FAILED, error=str(error))
        raise
    report.entries = CensusEntry.objects.filter(census=census).count()
    Census.objects.filter(pk=census.pk).update(
        status=Census.Status.READY,
        rows_read=report.read,
        rows_rejected=report.rejected,
        entries=report.entries,
        imported_at=timezone.now(),
    )
    yield report


def _store_postgresql(census: Census, good: Iterator[Row], replace: bool) -> Iterator[None]:
    table = CensusEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE consult_census_load "
            "(digest bytea, postcode varchar(20), birth_year smallint)"
        )
        try:
            # One COPY per chunk: progress is written between them, as the
            # connection can run nothing else while a COPY is open.
            while True:
                chunk = list(itertools.islice(good, PROGRESS_EVERY))
                if not chunk:
                    break
                with cursor.copy("COPY consult_census_load FROM STDIN") as copy:
                    copy.write("".join(_copy_line(*row) for row in chunk).encode())
                yield
            with transaction.atomic():
                # Enough memory to sort the load for DISTINCT ON without disk.
                cursor.execute("SET LOCAL work_mem = '128MB'")
                cursor.execute(
                    f"INSERT INTO {table} (census_id, digest, postcode, birth_year) "  # noqa: S608
                    "SELECT DISTINCT ON (digest) %s, digest, postcode, birth_year "
                    "FROM consult_census_load "
                    "ON CONFLICT (census_id, digest) DO UPDATE "
                    "SET postcode = EXCLUDED.postcode, birth_year = EXCLUDED.birth_year "
                    # Unchanged rows are not rewritten: a re-import is mostly those.
                    f"WHERE ({table}.postcode, {table}.birth_year) "
                    "IS DISTINCT FROM (EXCLUDED.postcode, EXCLUDED.birth_year)",
                    [census.pk],
                )
                if replace:
                    cursor.execute("CREATE INDEX ON consult_census_load (digest)")
                    cursor.execute("ANALYZE consult_census_load")
                    cursor.execute(
                        f"DELETE FROM {table} entry WHERE entry.census_id = %s "  # noqa: S608
                        "AND NOT EXISTS (SELECT 1 FROM consult_census_load load "
                        "WHERE load.digest = entry.digest)",
                        [census.pk],
                    )
        finally:
            cursor.execute("DROP TABLE IF EXISTS consult_census_load")


def _copy_line(digest: bytes, postcode: str, year: int) -> str:
    """One row in COPY's text format: bytea as ``\\x`` and hex (the backslash
    escaped for COPY); only the postcode could hold a backslash, and it holds
    no whitespace once normalised."""
    return f"\\\\x{digest.hex()}\t{postcode.replace(chr(92), chr(92) * 2)}\t{year}\n"


def _store_batches(census: Census, good: Iterator[Row], replace: bool) -> Iterator[None]:
    seen: set[bytes] = set()
    batch: list[CensusEntry] = []

    def flush() -> None:
        CensusEntry.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["census", "digest"],
            update_fields=["postcode", "birth_year"],
        )
        batch.clear()

    for count, (digest, postcode, year) in enumerate(good, start=1):
        if replace:
            seen.add(digest)
        batch.append(CensusEntry(census=census, digest=digest, postcode=postcode, birth_year=year))
        if len(batch) >= BATCH:
            flush()
        if count % PROGRESS_EVERY == 0:
            yield
    if batch:
        flush()
    if replace:
        stale = [
            pk
            for pk, digest in CensusEntry.objects.filter(census=census).values_list("pk", "digest")
            if bytes(digest) not in seen
        ]
        for start in range(0, len(stale), 500):
            CensusEntry.objects.filter(pk__in=stale[start : start + 500]).delete()
    yield


def no_match() -> NotEligible:
    # One answer for every kind of mismatch (unknown identifier, wrong birth
    # date, unreadable input): an answer must not tell which part was wrong.
    return NotEligible(
        _("We could not confirm these details. Check them against your letter or ID card."),
        rule="census",
    )


def claim(user, census_names: Iterable[str], identifier: str, birth_date: str) -> CensusEntry:
    """Bind the entry of ``identifier`` and ``birth_date`` in one of the censuses
    ``census_names`` to ``user``, for good.

    An account that already holds an entry of one of them gets it back
    without a look-up. ``NotEligible`` when nothing matches,
    ``CensusEntryClaimed`` when another account holds the entry.
    """
    names = list(census_names)
    held = CensusEntry.objects.filter(census__name__in=names, claimed_by=user).first()
    if held is not None:
        return held
    try:
        digest = entry_digest(identifier, birth_date)
    except ValueError:
        raise no_match() from None
    entry = CensusEntry.objects.filter(census__name__in=names, digest=digest).first()
    if entry is None:
        raise no_match()
    try:
        with transaction.atomic():
            won = CensusEntry.objects.filter(pk=entry.pk, claimed_at=None).update(
                claimed_by=user, claimed_at=timezone.now()
            )
    except IntegrityError:
        # The account took another entry of this census at the same moment.
        won = 0
    if not won:
        entry.refresh_from_db()
        if entry.claimed_by_id != user.pk:
            raise CensusEntryClaimed()
    entry.refresh_from_db()
    return entry


def release(entry: CensusEntry) -> None:
    """Free ``entry`` for another account (an administrator's decision, logged by the caller)."""
    CensusEntry.objects.filter(pk=entry.pk).update(claimed_by=None, claimed_at=None)
