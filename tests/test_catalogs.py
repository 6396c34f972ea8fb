"""The committed gettext catalogs (locale/{de,fr,es,it,nl,ar}/LC_MESSAGES) are complete.

* every entry is translated (all plural forms too) and nothing is fuzzy,
  the header included;
* placeholders (``%(name)s``, ``%d``, ``%s``, ``{name}``) survive translation;
* the compiled ``.mo`` holds exactly what its ``.po`` says (a ``.po`` edited
  without ``make messages``/``msgfmt`` afterwards fails);
* the catalogs cover every translatable string in ``consult/``: the strings
  are extracted afresh with Django's ``makemessages`` from a copy of the
  package (this part needs GNU gettext and is skipped without it).

The ``.po`` files are read with the small parser below, so the check needs
nothing beyond the standard library and Django.
"""

from __future__ import annotations

import gettext
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

REPO_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = REPO_DIR / "locale"
PACKAGE_DIR = REPO_DIR / "consult"
LANGUAGES = ("de", "fr", "es", "it", "nl", "ar")

# ---------------------------------------------------------------- .po reader

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(token: str) -> str:
    body = token.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[n] for n in sorted(self.msgstr_plural)]
        return [self.msgstr or ""]

    @property
    def translated(self) -> bool:
        strings = self.translations
        return bool(strings) and all(strings) and not self.fuzzy

    def describe(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{ctx}{self.msgid!r}"

    def label(self) -> str:
        return f"line {self.line}: {self.describe()}"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file, header (msgid "") first; obsolete ones are dropped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None  # attribute (or plural index) the next "..." lines extend
    plural_index: int | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and current.msgid is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#"):
            # A comment after a msgstr starts the next entry.
            if current is not None and (current.msgstr is not None or current.msgstr_plural):
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: string without a keyword")
            text = _unquote(line)
            if target == "msgstr_plural":
                current.msgstr_plural[plural_index] += text
            else:
                setattr(current, target, getattr(current, target) + text)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
        keyword, index, token = match.groups()
        if keyword in ("msgctxt", "msgid") and current is not None:
            if current.msgstr is not None or current.msgstr_plural:
                finish()
        if current is None:
            current = Entry(line=number)
        if keyword == "msgid":
            current.line = number
        text = _unquote(token)
        if index is not None:
            target, plural_index = "msgstr_plural", int(index)
            current.msgstr_plural[plural_index] = text
        else:
            target = keyword
            setattr(current, keyword, text)
    finish()
    return entries


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def header_fields(entry: Entry) -> dict[str, str]:
    fields = {}
    for line in (entry.msgstr or "").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


# ------------------------------------------------- a. translated, not fuzzy


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_translated_and_not_fuzzy(lang):
    path = po_path(lang)
    assert path.is_file(), f"{path} is missing: run `make messages`"
    entries = read_po(path)
    assert entries and entries[0].msgid == "", f"{path} has no header entry"
    header, messages = entries[0], entries[1:]

    problems = []
    if header.fuzzy:
        problems.append("the header is marked fuzzy")
    fields = header_fields(header)
    if fields.get("Language") != lang:
        problems.append(f"header Language is {fields.get('Language')!r}, expected {lang!r}")
    if "charset=UTF-8" not in fields.get("Content-Type", ""):
        problems.append("header Content-Type is not text/plain; charset=UTF-8")
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", fields.get("Plural-Forms", ""))
    if nplurals is None:
        problems.append("header has no Plural-Forms with nplurals")

    for entry in messages:
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.label()}")
        if not all(entry.translations):
            problems.append(f"untranslated: {entry.label()}")
        if entry.msgid_plural is not None and nplurals is not None:
            if sorted(entry.msgstr_plural) != list(range(int(nplurals.group(1)))):
                problems.append(
                    f"needs msgstr[0]..msgstr[{int(nplurals.group(1)) - 1}]: {entry.label()}"
                )
    assert not problems, f"{path.relative_to(REPO_DIR)}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------ d. placeholders

_PLACEHOLDER = re.compile(
    r"%(?:\([^)]+\))?[#0+-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]"
    r"|\{[A-Za-z_0-9]*(?:\.[A-Za-z_0-9]+|\[[^\]]*\])*(?:![rsa])?(?::[^{}]*)?\}"
)


def placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    problems = []
    for entry in read_po(po_path(lang))[1:]:
        if entry.msgid_plural is None:
            expected = placeholders(entry.msgid)
            if entry.msgstr and placeholders(entry.msgstr) != expected:
                problems.append(
                    f"{entry.label()}: {sorted(placeholders(entry.msgstr).elements())} "
                    f"instead of {sorted(expected.elements())}"
                )
            continue
        plural = placeholders(entry.msgid_plural)
        for index, text in sorted(entry.msgstr_plural.items()):
            if not text:
                continue
            found = placeholders(text)
            # A form may leave out the count ("one comment"), never add one.
            ok = found == plural if index else not (found - plural)
            if not ok:
                problems.append(
                    f"{entry.label()} msgstr[{index}]: {sorted(found.elements())} "
                    f"instead of {sorted(plural.elements())}"
                )
    assert not problems, f"{po_path(lang).relative_to(REPO_DIR)}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------ c. .mo matches .po


def _without_pot_date(header: str) -> str:
    return "".join(
        line
        for line in header.splitlines(keepends=True)
        if not line.startswith("POT-Creation-Date:")
    )


def expected_mo_catalog(entries: list[Entry]) -> dict:
    """What msgfmt puts in the .mo, keyed like gettext.GNUTranslations' catalog."""
    catalog: dict = {}
    for entry in entries:
        if not entry.translated and entry.msgid != "":  # msgfmt keeps even a fuzzy header
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if msgid == "":
            # msgfmt leaves the POT-Creation-Date out of the compiled header.
            catalog[msgid] = _without_pot_date(entry.msgstr)
        elif entry.msgid_plural is None:
            catalog[msgid] = entry.msgstr
        else:
            for index, text in entry.msgstr_plural.items():
                catalog[(msgid, index)] = text
    return catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_is_compiled_from_po(lang):
    po = po_path(lang)
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(REPO_DIR)} is missing: run `make messages`"
    with mo.open("rb") as fp:
        compiled = dict(gettext.GNUTranslations(fp)._catalog)
    if "" in compiled:
        compiled[""] = _without_pot_date(compiled[""])
    expected = expected_mo_catalog(read_po(po))

    stale = sorted(
        repr(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key]
    )
    missing = sorted(repr(key) for key in expected.keys() - compiled.keys())
    extra = sorted(repr(key) for key in compiled.keys() - expected.keys())
    problems = (
        [f"differs from the .po: {k}" for k in stale]
        + [f"missing from the .mo: {k}" for k in missing]
        + [f"in the .mo only: {k}" for k in extra]
    )
    assert not problems, (
        f"{mo.relative_to(REPO_DIR)} is not compiled from the current .po "
        f"(run `make messages` or msgfmt):\n  " + "\n  ".join(problems[:30])
    )


# ----------------------------------------------- b. catalogs cover the code

GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[Entry]:
    """The package's strings as makemessages extracts them now (into a temporary copy)."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"install gettext to check catalog coverage ({', '.join(missing)} not found)")
    root = tmp_path_factory.mktemp("catalogs")
    shutil.copytree(
        PACKAGE_DIR,
        root / "consult",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"),
    )
    locale = root / "locale"
    with pytest.MonkeyPatch.context() as mp, override_settings(LOCALE_PATHS=[locale]):
        mp.chdir(root / "consult")
        call_command("makemessages", locale=["de"], verbosity=0, no_obsolete=True)
    path = locale / "de" / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"makemessages wrote no {path}"
    return read_po(path)[1:]


def test_catalogs_cover_every_string_in_the_code(extracted):
    assert extracted, "makemessages found no translatable strings in consult/"
    problems = []
    for lang in LANGUAGES:
        committed = {entry.key: entry for entry in read_po(po_path(lang))[1:]}
        for entry in extracted:
            found = committed.get(entry.key)
            if found is None:
                problems.append(f"{lang}: not in the catalog: {entry.describe()}")
            elif not found.translated:
                problems.append(f"{lang}: not translated: {found.label()}")
    assert not problems, (
        "the catalogs are behind the code: run `make messages`, translate the new "
        "entries and compile them:\n  " + "\n  ".join(problems)
    )
