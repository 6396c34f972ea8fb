"""Exports of a consultation: results, anonymised ballots, proposals, comments.

Each export is a ``Dataset``: named columns and a lazy iterator of rows read
from the database in chunks. Writers turn a dataset into CSV or JSON, streamed
as they are produced, or into XLSX (openpyxl in write-only mode) in a
temporary file that is then streamed. Nothing holds a whole export in memory,
whatever the number of ballots.

What the files contain, and what they never contain:

- ``results``: each question's tally as the API gives it, one row per result
  entry (JSON: the tally payloads themselves, rounds included).
- ``ballots``: one row per ballot: question id, method, the ballot content as
  stored (JSON) and the tally ``version`` it was read at, so anyone can recount
  each question and compare with the published tally. No voter, no
  participation row, no digest, no timestamp; rows are in the order of the
  ballots' random primary keys (UUID4), which is unrelated to the order in
  which they were cast.
- ``proposals`` and ``comments``: the text and its moderation status, authors
  by display name only (``consult.contributions.authors``): never an email.

On PostgreSQL an export reads one REPEATABLE READ snapshot, so versions and
ballots always agree even while people vote. On SQLite (the demo) it does not
open a long transaction, which would block voting; versions then tell which
state was read.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from consult.contributions.authors import display_name
from consult.models import Ballot, Comment, ConsultationPage, Proposal, Question
from consult.voting.tally import stored_counts, tally_payload

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Rows read per database round trip.
CHUNK_SIZE = 2000
#: Bytes gathered before a piece of a streamed file is sent.
STREAM_BUFFER = 64 * 1024
#: Rows per XLSX sheet before the next one starts (the format allows 1,048,576).
XLSX_MAX_ROWS = 1_000_000
XLSX_MAX_CELL = 32_767
#: A cell starting with one of these is a formula to spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Dataset:
    """One export: column keys with headings, and the rows as a lazy iterator."""

    kind: str
    columns: list[tuple[str, Any]]
    rows: Callable[[], Iterator[dict[str, Any]]]
    #: What the JSON file holds instead of the list of rows, if anything.
    document: Callable[[], Any] | None = None
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [key for key, _heading in self.columns]


# --------------------------------------------------------------------------
# The datasets.


def results_dataset(page: ConsultationPage) -> Dataset:
    columns = [
        ("question", _("question id")),
        ("question_title", _("question")),
        ("method", _("method")),
        ("version", _("version")),
        ("ballots", _("ballots")),
        ("key", _("key")),
        ("label", _("choice")),
        ("votes", _("votes")),
        ("sum", _("sum of scores")),
        ("count", _("ballots scoring it")),
        ("mean", _("mean score")),
        ("cost", _("cost")),
        ("funded", _("funded")),
        ("winner", _("winner")),
    ]

    def payloads() -> Iterator[tuple[Question, dict[str, Any]]]:
        for question in page.questions.prefetch_related("options"):
            yield question, tally_payload(question)

    def rows() -> Iterator[dict[str, Any]]:
        for question, payload in payloads():
            for entry in payload["results"]:
                yield {
                    "question": question.pk,
                    "question_title": question.title,
                    "method": payload["method"],
                    "version": payload["version"],
                    "ballots": payload["ballots"],
                    **{key: entry.get(key) for key in ("key", "label", "votes")},
                    **{key: entry.get(key) for key in ("sum", "count", "mean", "cost", "funded")},
                    "winner": (entry["key"] == payload["winner"]) if "winner" in payload else None,
                }

    def document() -> dict[str, Any]:
        return {
            "consultation": _consultation_header(page),
            "questions": [{"title": question.title, **payload} for question, payload in payloads()],
        }

    return Dataset("results", columns, rows, document=document, title=str(_("Results")))


def ballots_dataset(page: ConsultationPage) -> Dataset:
    """Anonymised ballots: see the module docstring."""
    columns = [
        ("question", _("question id")),
        ("method", _("method")),
        ("version", _("tally version")),
        ("content", _("ballot")),
    ]

    def rows() -> Iterator[dict[str, Any]]:
        questions = {
            question.pk: (question.method, stored_counts(question)[0])
            for question in page.questions.all()
        }
        ballots = (
            Ballot.objects.filter(question_id__in=list(questions))
            .order_by("question_id", "id")
            .values_list("question_id", "content")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for question_id, content in ballots:
            method, version = questions[question_id]
            yield {
                "question": question_id,
                "method": method,
                "version": version,
                "content": content,
            }

    return Dataset("ballots", columns, rows, title=str(_("Ballots")))


def proposals_dataset(page: ConsultationPage) -> Dataset:
    columns = [
        ("id", _("id")),
        ("title", _("title")),
        ("body", _("proposal")),
        ("status", _("status")),
        ("category", _("category")),
        ("supports", _("supports")),
        ("author", _("author")),
        ("created_at", _("created at")),
        ("updated_at", _("updated at")),
        ("answer", _("official answer")),
        ("answered_at", _("answered at")),
        ("latitude", _("latitude")),
        ("longitude", _("longitude")),
    ]

    def rows() -> Iterator[dict[str, Any]]:
        proposals = (
            Proposal.objects.filter(page=page)
            .select_related("author", "category")
            .order_by("created_at", "pk")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for proposal in proposals:
            yield {
                "id": proposal.pk,
                "title": proposal.title,
                "body": proposal.body,
                "status": proposal.status,
                "category": proposal.category.name if proposal.category else "",
                "supports": proposal.supports,
                "author": display_name(proposal.author),
                "created_at": proposal.created_at,
                "updated_at": proposal.updated_at,
                "answer": proposal.answer,
                "answered_at": proposal.answered_at,
                "latitude": proposal.latitude,
                "longitude": proposal.longitude,
            }

    return Dataset("proposals", columns, rows, title=str(_("Proposals")))


def comments_dataset(page: ConsultationPage) -> Dataset:
    columns = [
        ("id", _("id")),
        ("proposal", _("proposal id")),
        ("parent", _("reply to")),
        ("depth", _("depth")),
        ("body", _("comment")),
        ("stance", _("stance")),
        ("status", _("status")),
        ("author", _("author")),
        ("created_at", _("created at")),
        ("edited_at", _("edited at")),
        ("deleted", _("deleted by its author")),
    ]

    def rows() -> Iterator[dict[str, Any]]:
        comments = (
            Comment.objects.filter(page=page)
            .select_related("author")
            .order_by("created_at", "pk")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for comment in comments:
            deleted = comment.deleted_at is not None
            yield {
                "id": comment.pk,
                "proposal": comment.proposal_id,
                "parent": comment.parent_id,
                "depth": comment.depth,
                "body": "" if deleted else comment.body,
                "stance": comment.stance,
                "status": comment.status,
                "author": display_name(comment.author),
                "created_at": comment.created_at,
                "edited_at": comment.edited_at,
                "deleted": deleted,
            }

    return Dataset("comments", columns, rows, title=str(_("Comments")))


DATASETS: dict[str, Callable[[ConsultationPage], Dataset]] = {
    "results": results_dataset,
    "ballots": ballots_dataset,
    "proposals": proposals_dataset,
    "comments": comments_dataset,
}


def _consultation_header(page: ConsultationPage) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "status": page.status,
        "results_visibility": page.results_visibility,
        "ballot_secrecy": page.ballot_secrecy,
        "exported_at": timezone.now(),
    }


# --------------------------------------------------------------------------
# A consistent read.


@contextmanager
def snapshot() -> Iterator[None]:
    """Read everything from one snapshot where that does not block writers.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (readers never block
    voters there). Elsewhere, or inside a transaction already (tests), reads
    go as they are.
    """
    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _rows_in_snapshot(dataset: Dataset) -> Iterator[dict[str, Any]]:
    with snapshot():
        yield from dataset.rows()


# --------------------------------------------------------------------------
# Writers.


def _text(value: Any) -> Any:
    """A cell value for CSV: JSON for structures, ISO 8601 for dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # Spreadsheet programs would run it as a formula (CSV injection).
        return "'" + value
    return value


def _buffered(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= STREAM_BUFFER:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def csv_stream(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        # A byte order mark so that spreadsheet programs read UTF-8.
        yield "\ufeff"
        writer.writerow([str(heading) for _key, heading in dataset.columns])
        keys = dataset.keys
        for row in rows:
            writer.writerow([_text(row.get(key)) for key in keys])
            if out.tell() >= STREAM_BUFFER // 4:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return _buffered(lines())


def json_stream(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    def dumps(value: Any) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)

    def pieces() -> Iterator[str]:
        if dataset.document is not None:
            with snapshot():
                yield dumps(dataset.document())
            yield "\n"
            return
        yield "["
        separator = "\n"
        for row in rows:
            yield separator + dumps(row)
            separator = ",\n"
        yield "\n]\n"

    return _buffered(pieces())


def _xlsx_value(value: Any, sheet) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, (dict, list)):
        value = _text(value)
    elif isinstance(value, datetime):
        # Spreadsheets have no time zones: local time of the site.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    elif isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
        if value.startswith("="):
            # Text, never a formula.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def xlsx_file(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> IO[bytes]:
    """The dataset as an XLSX workbook in an anonymous temporary file, at offset 0."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    headings = [str(heading) for _key, heading in dataset.columns]
    keys = dataset.keys
    sheet_title = (dataset.title or dataset.kind)[:25]
    sheets = 0

    def new_sheet():
        nonlocal sheets
        sheets += 1
        sheet = workbook.create_sheet(sheet_title if sheets == 1 else f"{sheet_title} {sheets}")
        sheet.append(headings)
        return sheet

    sheet, count = new_sheet(), 0
    for row in rows:
        if count == XLSX_MAX_ROWS:
            sheet, count = new_sheet(), 0
        sheet.append([_xlsx_value(row.get(key), sheet) for key in keys])
        count += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        workbook.save(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


# --------------------------------------------------------------------------
# Responses.


class _PullInWorkerThread:
    """Serve a synchronous iterator under ASGI without reading it all first.

    Django's ``StreamingHttpResponse`` consumes a synchronous iterator whole
    (``list()``) before sending it under ASGI. This pulls one piece at a time
    in the request's own worker thread (``thread_sensitive``), where the
    database connection and the export's snapshot transaction live.
    """

    async def __aiter__(self):
        iterator = iter(self.streaming_content)
        pull = sync_to_async(_next_piece, thread_sensitive=True)
        while True:
            piece = await pull(iterator)
            if piece is None:
                return
            yield piece


def _next_piece(iterator: Iterator[bytes]) -> bytes | None:
    return next(iterator, None)


class ExportStreamingResponse(_PullInWorkerThread, StreamingHttpResponse):
    pass


class ExportFileResponse(_PullInWorkerThread, FileResponse):
    block_size = STREAM_BUFFER


def export_filename(page: ConsultationPage, kind: str, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    slug = slugify(page.slug or page.title) or f"consultation-{page.pk}"
    return f"{slug}-{kind}-{stamp}.{fmt}"


def export_response(page: ConsultationPage, kind: str, fmt: str):
    """The HTTP response for one export; ``kind`` in ``DATASETS``, ``fmt`` in ``FORMATS``."""
    dataset = DATASETS[kind](page)
    filename = export_filename(page, kind, fmt)
    if fmt == "xlsx":
        handle = xlsx_file(dataset, _rows_in_snapshot(dataset))
        return ExportFileResponse(
            handle, as_attachment=True, filename=filename, content_type=FORMATS["xlsx"]
        )
    stream = csv_stream if fmt == "csv" else json_stream
    response = ExportStreamingResponse(
        stream(dataset, _rows_in_snapshot(dataset)), content_type=FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
