"""Template context for pages consult does not render itself (allauth's
account pages), so they extend the site's layout too."""

from __future__ import annotations

from consult import conf


def layout(request) -> dict[str, str]:
    """``consult_base_template``: the ``CONSULT["BASE_TEMPLATE"]`` pages extend."""
    return {"consult_base_template": conf.get("BASE_TEMPLATE")}
