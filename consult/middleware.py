"""Database outages answered with 503 instead of Django's 500 page.

``UnavailableMiddleware`` (add it to ``MIDDLEWARE``) turns a view's lost,
refused or timed-out database connection, or a locked SQLite file, into a
503 with ``Retry-After``: the API's ``unavailable`` JSON under the API's
address, a standalone page everywhere else (the site's own templates would
read the database again). Errors of other kinds still reach Django's
handling unchanged.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from consult import conf
from consult.exceptions import Unavailable, unavailable_cause

logger = logging.getLogger(__name__)


class UnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, Unavailable) or unavailable_cause(exception)):
            return None
        logger.warning("consult: answered 503, the database is unavailable: %s", exception)
        return unavailable_response(request)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    retry_after = conf.get("UNAVAILABLE_RETRY_AFTER")
    if _is_api(request):
        error = Unavailable()
        response: HttpResponse = JsonResponse(
            {"code": error.code, "detail": str(error.detail)}, status=503
        )
    else:
        response = render(
            request, "consult/unavailable.html", {"retry_after": retry_after}, status=503
        )
    response["Retry-After"] = str(retry_after)
    return response


def _is_api(request: HttpRequest) -> bool:
    try:
        prefix = reverse("consult:api-consultations").removesuffix("consultations/")
    except NoReverseMatch:
        return False
    return request.path.startswith(prefix)
