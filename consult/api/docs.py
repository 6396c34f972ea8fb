"""Interactive API docs (Swagger UI) served from the package's own files.

The UI's files come from drf-spectacular-sidecar's package directory through
this view, so the host needs neither a CDN nor the sidecar app in
``INSTALLED_APPS``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import drf_spectacular_sidecar
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.generic import TemplateView

SWAGGER_DIR = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static"
    / "drf_spectacular_sidecar"
    / "swagger-ui-dist"
)
ASSETS = frozenset(
    {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    }
)


class DocsView(TemplateView):
    template_name = "consult/api/docs.html"


def docs_asset(request, name: str):
    if name not in ASSETS:
        raise Http404
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse((SWAGGER_DIR / name).open("rb"), content_type=content_type)
    patch_cache_control(response, public=True, max_age=86400)
    return response
