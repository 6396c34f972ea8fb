"""MkDocs hook: the REST API's OpenAPI schema, generated at build time.

The schema is what the package serves at ``api/v1/schema/``, produced by the
same view, so the published file cannot drift from the code. It is added to
the site as ``reference/openapi.yaml``, and the API reference's
``<!-- openapi-operations -->`` marker becomes a table of every operation in
it. Django is set up with the example site's development settings; nothing
touches a database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml
from mkdocs.structure.files import File

SCHEMA_URI = "reference/openapi.yaml"
API_PAGE = "reference/api.md"
MARKER = "<!-- openapi-operations -->"
METHODS = ("get", "post", "put", "patch", "delete")

_schema: dict = {}


def _generate(repo: Path) -> bytes:
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_example.settings.dev")
    import django

    django.setup()
    from django.test import RequestFactory
    from django.urls import reverse

    from consult.api.schema import SchemaView

    request = RequestFactory().get(
        reverse("consult:api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi"
    )
    response = SchemaView.as_view()(request)
    response.render()
    if response.status_code != 200:
        raise RuntimeError(f"schema view answered {response.status_code}")
    return response.content


def on_files(files, config):
    content = _generate(Path(config.config_file_path).parent)
    _schema.clear()
    _schema.update(yaml.safe_load(content))
    files.append(File.generated(config, SCHEMA_URI, content=content))
    return files


def _operations_table() -> str:
    rows = ["| method | path | does |", "| --- | --- | --- |"]
    for path, item in _schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            text = operation.get("summary") or operation.get("description") or ""
            text = " ".join(text.split())
            # The first sentence: descriptions are docstrings, wrapped and long.
            summary = text.split(". ")[0].rstrip(".") + "." if text else operation["operationId"]
            summary = summary.replace("|", "\\|")
            rows.append(f"| `{method.upper()}` | `{path}` | {summary} |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == API_PAGE:
        if MARKER not in markdown:
            raise RuntimeError(f"{API_PAGE} lost its {MARKER} marker")
        markdown = markdown.replace(MARKER, _operations_table())
    return markdown
