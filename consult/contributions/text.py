"""Citizens' text: stored as plain text, rendered escaped.

Nothing a citizen types is ever kept or shown as HTML. ``clean_text``
normalises what is stored; ``render_text`` turns it into a small, safe HTML
fragment (paragraphs, line breaks, links for http(s) URLs), escaping
everything first and then passing the result through nh3's allow-list, so a
mistake in one step is caught by the other.
"""

from __future__ import annotations

import re
import unicodedata

import nh3
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from consult.exceptions import InvalidContribution

# C0/C1 controls except tab and newline, and the bidi embedding/override
# controls (U+202A..U+202E) that make text display in another order than it
# reads (e.g. a link whose name looks like another). Isolates (U+2066..U+2069)
# are kept: right-to-left scripts need them.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ufeff]")
_BLANK_LINES = re.compile(r"\n{3,}")

_TAGS = {"p", "br", "a"}
_ATTRIBUTES = {"a": {"href"}}
_SCHEMES = {"http", "https", "mailto"}


def clean_text(
    value: object, *, field: str, max_length: int, multiline: bool = True, required: bool = True
) -> str:
    """``value`` as plain text to store, or ``InvalidContribution`` saying why not.

    Normalises line endings and Unicode (NFC), drops control characters,
    trims, collapses runs of blank lines, and checks the length.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidContribution(_("%(field)s: must be text.") % {"field": field})
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _UNWANTED.sub("", text)
    if multiline:
        text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    else:
        text = " ".join(text.split())
    text = text.strip()
    if required and not text:
        raise InvalidContribution(_("%(field)s: this field is required.") % {"field": field})
    if len(text) > max_length:
        raise InvalidContribution(
            _("%(field)s: at most %(max)d characters (it has %(length)d).")
            % {"field": field, "max": max_length, "length": len(text)}
        )
    return text


def render_text(text: str) -> SafeString:
    """Stored plain text as HTML: escaped, paragraphs, line breaks, safe links."""
    if not text:
        return mark_safe("")  # noqa: S308  (an empty string)
    html = linebreaks(urlize(text, trim_url_limit=60, nofollow=True, autoescape=True))
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308  (escaped, then allow-listed by nh3)


def render_inline(text: str) -> str:
    """A one-line text (a title) for HTML: escaped, nothing else."""
    return escape(text)
