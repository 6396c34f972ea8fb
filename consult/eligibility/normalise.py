"""How identifiers, birth dates and postcodes are written before they are digested.

The same person must give the same digest however a clerk typed the census
or the person types their identifier: ``"ab-0123 45"``, ``"AB012345"`` and
``" ab 0123-45 "`` are one identifier. Pure functions, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

# Spaces of every kind and the dashes, hyphens and minus signs people type.
_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d._/]+")

#: Birth date formats accepted, tried in order. Day first: a slash date is
#: read as DD/MM/YYYY, as in most of Europe; ISO is tried first.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d", "%Y/%m/%d", "%d.%m.%y")


def identifier(value: str) -> str:
    """Upper case, no spaces, dashes, dots or slashes, no leading zeros.

    Raises ``ValueError`` for an identifier with nothing left in it.
    """
    text = unicodedata.normalize("NFKC", value).upper()
    text = _NOISE.sub("", text)
    if not text:
        raise ValueError("empty identifier")
    return text.lstrip("0") or "0"


def birth_date(value: str | date) -> date:
    """The date in ``value`` (ISO or a common European form). ``ValueError`` if none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text.isascii():
        # The census's own format, and most rows: the fast path of the import.
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    text = unicodedata.normalize("NFKC", text)
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%d.%m.%y" and parsed > date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(f"not a date: {value!r}")


def postcode(value: str) -> str:
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return "".join(value.split()).upper()


def code(value: str) -> str:
    """A voting code as typed: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-\u2010-\u2015\u2212]+", "", unicodedata.normalize("NFKC", value)).upper()
