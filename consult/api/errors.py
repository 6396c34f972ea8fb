"""One error body for the whole API: ``{"code": "...", "detail": "..."}``.

Every view of the package uses this handler (set on the views, so the host's
``REST_FRAMEWORK`` settings do not change it), and DRF's own exceptions are
given codes from SPEC where one fits.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from consult import conf
from consult.exceptions import ConsultError, Unavailable, unavailable_cause

logger = logging.getLogger(__name__)

CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


def error_response(code: str, detail: Any, http_status: int, headers=None, extra=None) -> Response:
    body = {"code": code, "detail": str(detail), **(extra or {})}
    return Response(body, status=http_status, headers=headers)


def flatten(detail: Any) -> str:
    """A readable one-line message from DRF's nested validation details."""
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {flatten(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(flatten(item) for item in detail)
    return str(detail)


def unavailable_response() -> Response:
    """503 ``unavailable``: the database (or another required service) is down."""
    exc = Unavailable()
    return error_response(
        exc.code,
        exc.detail,
        exc.status,
        {"Retry-After": str(conf.get("UNAVAILABLE_RETRY_AFTER"))},
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Unavailable):
        return unavailable_response()
    if isinstance(exc, ConsultError):
        wait = getattr(exc, "wait", None)
        headers = {"Retry-After": str(int(wait))} if wait is not None else None
        return error_response(exc.code, exc.detail, exc.status, headers, extra=exc.extra)
    if unavailable_cause(exc):
        logger.warning("consult: answered 503, the database is unavailable: %s", exc)
        return unavailable_response()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    detail = flatten(exc.detail)
    code = next(
        (code for cls, code in CODES.items() if isinstance(exc, cls)),
        "error" if exc.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR else "invalid",
    )
    return error_response(code, detail, exc.status_code, headers)
