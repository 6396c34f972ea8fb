"""Every check of a results bundle, each finding in words a reader can follow."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .chain import EVENTS, canonical, entry_hash, genesis
from .recount import check_ballot, recount

QUESTION_FILE = re.compile(r"question-(\d+)\.json")


@dataclass
class Report:
    """What was checked (``passed``) and what did not match (``problems``)."""

    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, condition: bool, success: str, failure: str) -> bool:
        (self.passed if condition else self.problems).append(success if condition else failure)
        return condition


def verify_bundle(path: str, public_key: str | None = None) -> Report:
    """Check the bundle at ``path``; ``public_key`` (base64) pins the signer."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.problems.append(f"cannot open the bundle as a zip file: {error}")
        return report
    with archive:
        names = set(archive.namelist())
        if not report.check("manifest.json" in names, "manifest.json present", "no manifest.json"):
            return report
        manifest = _json(archive, "manifest.json", report)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            report.problems.append("manifest.json has no “files” object")
            return report
        _check_signature(manifest, public_key, report)
        _check_files(archive, names, manifest["files"], report)
        for name in sorted(manifest["files"], key=_natural):
            match = QUESTION_FILE.fullmatch(name)
            if match and name in names:
                _check_question(archive, int(match.group(1)), manifest["files"], report)
    return report


def _natural(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _json(archive: zipfile.ZipFile, name: str, report: Report) -> Any:
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except (KeyError, UnicodeDecodeError, ValueError) as error:
        report.problems.append(f"{name}: not readable JSON ({error})")
        return None


def _check_signature(manifest: Mapping[str, Any], pinned: str | None, report: Report) -> None:
    key_text = manifest.get("public_key")
    if pinned is not None:
        report.check(
            key_text == pinned,
            "manifest signed with the expected public key",
            "manifest names another public key than the one given with --public-key",
        )
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_text, validate=True))
        signature = base64.b64decode(manifest.get("signature", ""), validate=True)
    except (TypeError, ValueError, binascii.Error):
        report.problems.append("manifest: public_key or signature is not valid base64 Ed25519")
        return
    unsigned = {key: value for key, value in manifest.items() if key != "signature"}
    try:
        key.verify(signature, canonical(unsigned))
    except InvalidSignature:
        report.problems.append("manifest: the Ed25519 signature does not match its content")
    else:
        report.passed.append("manifest: Ed25519 signature valid")


def _check_files(
    archive: zipfile.ZipFile, names: set[str], files: Mapping[str, str], report: Report
) -> None:
    for name in sorted(names - set(files) - {"manifest.json"}):
        report.problems.append(f"{name}: in the bundle but not in the manifest")
    for name, expected in sorted(files.items()):
        if name not in names:
            report.problems.append(f"{name}: listed in the manifest but missing")
            continue
        digest = hashlib.sha256()
        with archive.open(name) as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        report.check(
            digest.hexdigest() == expected,
            f"{name}: sha256 matches the manifest",
            f"{name}: sha256 {digest.hexdigest()} differs from the manifest's {expected}",
        )


def _check_question(
    archive: zipfile.ZipFile, question_id: int, files: Mapping[str, str], report: Report
) -> None:
    where = f"question {question_id}"
    definition = _json(archive, f"question-{question_id}.json", report)
    published = _json(archive, f"results-{question_id}.json", report)
    try:
        log = LogReader(archive, f"log-{question_id}.json")
    except (KeyError, UnicodeDecodeError, ValueError) as error:
        report.problems.append(f"{where}: log-{question_id}.json not readable ({error})")
        return
    if not isinstance(definition, dict):
        report.problems.append(f"{where}: question-{question_id}.json missing or unreadable")
        return
    report.check(
        log.definition == definition,
        f"{where}: the log's definition is the published one",
        f"{where}: the log's definition differs from question-{question_id}.json",
    )
    replayed = _replay(where, definition, log, report)
    if replayed is None:
        return
    ballots, entries = replayed
    expected = recount(definition, [json.loads(ballot) for ballot in ballots.values()])
    if not isinstance(published, dict):
        report.problems.append(f"{where}: results-{question_id}.json missing or unreadable")
        return
    report.check(
        published.get("version") == entries,
        f"{where}: tally version equals the number of log entries",
        f"{where}: tally version {published.get('version')} but {entries} log entries "
        "(ballots outside the log?)",
    )
    shown = _comparable(published)
    for key in sorted(set(expected) | set(shown)):
        report.check(
            shown.get(key) == expected.get(key),
            f"{where}: recounted {key} matches",
            f"{where}: {key} published as {_short(shown.get(key))}, "
            f"recount gives {_short(expected.get(key))}",
        )


class LogReader:
    """A ``log-{id}.json`` read one entry at a time when it is laid out as the
    server writes it (one entry per line), so a log of millions of ballots
    is never held whole; any other layout of the same JSON is read at once."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive, self.name = archive, name
        self.head: Any = None
        with archive.open(name) as stream:
            first = stream.readline().decode("utf-8").rstrip("\n")
        self.streamed = first.startswith('{"definition":') and first.endswith('"entries":[')
        if self.streamed:
            self.definition = json.loads(first.removesuffix(',"entries":[') + "}")["definition"]
        else:
            self.whole = json.loads(archive.read(name).decode("utf-8"))
            if not isinstance(self.whole, dict):
                raise ValueError("not a JSON object")
            self.definition = self.whole.get("definition")

    def entries(self) -> Iterator[Any]:
        if not self.streamed:
            listed = self.whole.get("entries")
            yield from listed if isinstance(listed, list) else [None]
            self.head = self.whole.get("head")
            return
        with self.archive.open(self.name) as stream:
            stream.readline()
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("]"):
                    self.head = json.loads("{" + line.removeprefix("],"))["head"]
                    return
                yield json.loads(line.removesuffix(","))


ENTRY_FIELDS = {"seq", "event", "receipt_hash", "ballot", "prev", "hash"}


def _replay(
    where: str, definition: Mapping[str, Any], log: LogReader, report: Report
) -> tuple[dict[str, str], int] | None:
    """The counted ballots (canonical JSON, by receipt hash) after every
    event and the number of entries, or None if the chain is broken (then
    nothing it says can be trusted)."""
    prev = genesis(definition)
    ballots: dict[str, str] = {}
    sound = True
    position = 0
    for position, entry in enumerate(log.entries(), 1):  # noqa: B007 (counted after the loop)
        label = f"{where}, entry {position}"
        if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
            report.problems.append(f"{label}: not an entry of SPEC §11")
            return None
        checks = [
            (entry["seq"] == position, f"seq is {entry['seq']}, expected {position}"),
            (entry["prev"] == prev, "prev is not the hash of the entry before"),
            (entry["hash"] == entry_hash(entry), "hash does not match its content"),
            (entry["event"] in EVENTS, f"unknown event {entry['event']!r}"),
        ]
        for ok, problem in checks:
            if not ok:
                report.problems.append(f"{label}: {problem}")
                sound = False
        prev = entry["hash"]
        receipt, event, ballot = entry["receipt_hash"], entry["event"], entry["ballot"]
        if event == "cast" and receipt in ballots:
            report.problems.append(f"{label}: a second cast for one receipt without withdrawal")
        elif event in ("replace", "withdraw") and receipt not in ballots:
            report.problems.append(f"{label}: {event} of a ballot that is not counted")
        if event == "withdraw":
            ballots.pop(receipt, None)
            if ballot is not None:
                report.problems.append(f"{label}: a withdrawal carries a ballot")
            continue
        problem = check_ballot(definition, ballot)
        if problem:
            report.problems.append(f"{label}: invalid ballot ({problem})")
            ballots.pop(receipt, None)
        else:
            ballots[receipt] = canonical(ballot).decode("utf-8")
    report.check(
        log.head == prev,
        f"{where}: chain of {position} entries intact up to the head",
        f"{where}: the log's head {log.head} is not the last entry's hash",
    )
    return (ballots, position) if sound else None


def _comparable(published: Mapping[str, Any]) -> dict[str, Any]:
    """The published tally without what a recount cannot know: its version
    and the yes/no labels (they are in the language it was built in)."""
    shown = {key: value for key, value in published.items() if key != "version"}
    if shown.get("method") == "yes_no" and isinstance(shown.get("results"), list):
        shown["results"] = [
            {key: value for key, value in entry.items() if key != "label"}
            if isinstance(entry, dict)
            else entry
            for entry in shown["results"]
        ]
    return shown


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."
