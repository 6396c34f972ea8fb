"""MkDocs hook: fail the build if a page would load anything from another host.

The theme is told not to fetch web fonts (``theme.font: false``); this check
keeps it that way when the theme, an extension or a page changes: no
``<script src>``, ``<link href>`` (stylesheet, font, preload, preconnect),
``<img>``/``<iframe>`` source, CSS ``url()`` or ``@import`` may point off the
site. Links readers follow (``<a href>``) are fine.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

EXTERNAL = r"(?:https?:)?//"
TAG = re.compile(
    rf"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=[\"']?{EXTERNAL}[^\"' >]*"
    rf"|<link\b[^>]*\bhref=[\"']?{EXTERNAL}[^\"' >]*",
    re.IGNORECASE,
)
CSS = re.compile(rf"url\(\s*[\"']?{EXTERNAL}[^)]*\)|@import\s+[\"']?{EXTERNAL}[^;]*", re.IGNORECASE)


def on_post_build(config):
    site = Path(config.site_dir)
    found = []
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        # rel="canonical" / "alternate" name an address, they load nothing.
        found += [
            (path, match)
            for match in TAG.findall(text)
            if not re.search(r"rel=[\"']?(canonical|alternate)", match)
        ]
    for path in sorted(site.rglob("*.css")):
        found += [(path, match) for match in CSS.findall(path.read_text(encoding="utf-8"))]
    if found:
        lines = "\n".join(f"  {path.relative_to(site)}: {match}" for path, match in found)
        raise PluginError(f"The site would load resources from other hosts:\n{lines}")
