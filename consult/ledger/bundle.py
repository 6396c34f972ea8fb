"""The signed results bundle of a consultation (SPEC §11), written as a zip
to a file: every question's definition, log and tally, pabulib files for
budget and approval questions, and a manifest of their hashes signed with
Ed25519. Logs are read in chunks and written as they are read, so a bundle
of millions of ballots never sits in memory.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from consult import conf
from consult.models import Ballot, ConsultationPage, Question
from consult.verify.chain import canonical

from . import log, signing
from .pabulib import PB_METHODS, write_pb

Tally = Callable[[Question], dict[str, Any]]


def write_bundle(page: ConsultationPage, out: IO[bytes], tally: Tally) -> None:
    """Write ``page``'s bundle to ``out`` (a seekable binary file).

    ``page`` is the consultation holding the ballots (a translation's
    source); ``tally`` gives a question's tally as the API serves it. All is
    read from one snapshot of the database where it offers one (PostgreSQL,
    REPEATABLE READ), so logs and tallies agree even while votes come in.
    """
    signing.private_key()  # refuses (SigningKeyMissing) before anything is written
    files: dict[str, str] = {}
    with _snapshot(), zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        questions = page.questions.prefetch_related("options").order_by("sort_order", "pk")
        for question in questions:
            definition = log.definition(question)
            results = tally(question)
            _write(archive, files, f"question-{question.pk}.json", [canonical(definition)])
            _write(archive, files, f"log-{question.pk}.json", log_json(question, definition))
            _write(archive, files, f"results-{question.pk}.json", [canonical(results)])
            if question.method in PB_METHODS:
                with _member(archive, files, f"pabulib-{question.pk}.pb") as member:
                    write_pb(
                        member, definition, results, _pb_meta(page, question), _contents(question)
                    )
        manifest: dict[str, Any] = {
            "consultation": page.pk,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "files": files,
            "public_key": signing.public_key_text(),
        }
        manifest["signature"] = signing.sign(canonical(manifest))
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))


@contextmanager
def _snapshot() -> Iterator[None]:
    # Inside an outer atomic block (tests, ATOMIC_REQUESTS) queries have run
    # already and the isolation level can no longer be set: that caller
    # chose its own consistency.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class _Hashing:
    """A zip member that also computes the sha256 of what is written to it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest = stream, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.stream.write(data)


@contextmanager
def _member(archive: zipfile.ZipFile, files: dict[str, str], name: str) -> Iterator[_Hashing]:
    with archive.open(name, "w", force_zip64=True) as stream:
        hashing = _Hashing(stream)
        yield hashing
    files[name] = hashing.digest.hexdigest()


def _write(archive, files, name: str, chunks) -> None:
    with _member(archive, files, name) as member:
        for chunk in chunks:
            member.write(chunk)


def log_json(question: Question, definition: Mapping[str, Any]) -> Iterator[bytes]:
    """The log document of SPEC §11 (``{"definition", "entries", "head"}``) in
    chunks: the entries up to the head read when it starts, one per line
    (``consult.verify`` then reads it entry by entry)."""
    head = log.head(question)
    yield b'{"definition":' + canonical(definition) + b',"entries":['
    separator = b"\n"
    for entry in log.entries(question, head.seq):
        yield separator + canonical(entry)
        separator = b",\n"
    yield b'\n],"head":' + canonical(head.hash) + b"}\n"


def _contents(question: Question) -> Iterator[Mapping[str, Any]]:
    return (
        Ballot.objects.filter(question=question)
        .values_list("content", flat=True)
        .iterator(chunk_size=5000)
    )


def _pb_meta(page: ConsultationPage, question: Question) -> dict[str, str]:
    opened = page.voting_open_at or page.first_published_at or timezone.now()
    closed = page.voting_close_at or timezone.now()
    site = page.get_site()
    meta = {
        "description": f"{page.title}: {question.title}",
        "country": "",
        "unit": (site.site_name or site.hostname) if site else "",
        "instance": str(opened.year),
        "date_begin": opened.strftime("%d.%m.%Y"),
        "date_end": closed.strftime("%d.%m.%Y"),
    }
    return {**meta, **conf.get("PABULIB_META")}
