"""The documentation stays complete and its links resolve; the README stays short.

These read files only: `make docs` builds the site (with --strict) and CI runs
it, so the build is not repeated here.
"""

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
# Files the build adds (docs/_hooks/openapi.py), not in the repository.
GENERATED = {DOCS / "reference" / "openapi.yaml"}

# An inline markdown link or image: [text](target) or ![alt](target "title").
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")


def consult_defaults() -> list[str]:
    """The keys of ``DEFAULTS`` in consult/conf.py, read without importing Django."""
    tree = ast.parse((REPO / "consult" / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "DEFAULTS":
            assert isinstance(node.value, ast.Dict)
            return [ast.literal_eval(key) for key in node.value.keys]
    raise AssertionError("consult/conf.py has no DEFAULTS dict")


def test_every_setting_is_documented():
    documented = set(
        re.findall(
            r"^#{2,4} `([A-Z0-9_]+)`",
            (DOCS / "reference" / "settings.md").read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    )
    keys = consult_defaults()
    assert len(keys) >= 5
    missing = [key for key in keys if key not in documented]
    assert not missing, f"CONSULT keys without a heading in docs/reference/settings.md: {missing}"
    unknown = documented - set(keys)
    assert not unknown, f"docs/reference/settings.md documents keys conf.py lacks: {unknown}"


def markdown_links(text: str) -> list[str]:
    text = FENCE.sub("", text)
    text = INLINE_CODE.sub("", text)
    return LINK.findall(text)


def test_markdown_link_parser():
    text = (
        '[a](one.md) ![b](img/x.png "t") [c](https://example.org) `[d](no.md)`\n'
        "```\n[e](fenced.md)\n```\n[f](two.md#anchor)"
    )
    assert markdown_links(text) == ["one.md", "img/x.png", "https://example.org", "two.md#anchor"]


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_links_point_to_existing_files(page):
    broken = []
    for target in markdown_links(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # another site, mailto:, or an anchor on this page
        path = (page.parent / target.split("#")[0].split("?")[0]).resolve()
        if path not in GENERATED and not path.exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(REPO)} links to missing files: {broken}"


def test_docs_have_the_four_parts():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for section in ("Tutorial", "How-to", "Reference", "Explanation"):
        assert re.search(rf"^  - {section}:$", nav, re.MULTILINE), section


# SPEC section 3: the README shows exactly these steps.
README_STEPS = [
    "pip install wagtail-consult",
    '"consult"',
    '"rest_framework"',
    '"channels"',
    '"allauth"',
    '"allauth.account"',
    '"allauth.account.middleware.AccountMiddleware"',
    '"allauth.account.auth_backends.AuthenticationBackend"',
    "ASGI_APPLICATION",
    "CHANNEL_LAYERS",
    'path("consult/", include("consult.urls"))',
    'path("accounts/", include("allauth.urls"))',
    "asgi.py",
    "websocket_urlpatterns",
    "AllowedHostsOriginValidator(",
    "AuthMiddlewareStack(URLRouter(",
    "python manage.py migrate",
]


def test_readme_is_short_and_shows_the_install_steps():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    missing = [step for step in README_STEPS if step not in readme]
    assert not missing, f"README.md lacks install steps of SPEC section 3: {missing}"
    # The steps come in the order of SPEC section 3.
    order = [
        "pip install wagtail-consult",
        "INSTALLED_APPS",
        'path("consult/", include("consult.urls"))',
        "AuthMiddlewareStack(URLRouter(",
        "python manage.py migrate",
    ]
    positions = [readme.index(step) for step in order]
    assert positions == sorted(positions)


def test_readme_links_resolve():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    local = [t for t in markdown_links(readme) if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]
    assert local, "README.md links into the docs"
    missing = [t for t in local if not (REPO / t.split("#")[0]).exists()]
    assert not missing, missing
