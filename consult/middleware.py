"""The package's middleware; add the ones a site needs to ``MIDDLEWARE``.

``UnavailableMiddleware`` answers database outages with 503 instead of
Django's 500 page: it turns a view's lost, refused or timed-out database
connection, or a locked SQLite file, into a 503 with ``Retry-After``: the
API's ``unavailable`` JSON under the API's address, a standalone page
everywhere else (the site's own templates would read the database again).
Errors of other kinds still reach Django's handling unchanged.

``StaffMFAMiddleware`` requires multi-factor authentication for the Wagtail
admin (``CONSULT["REQUIRE_STAFF_MFA"]``): an admin user without a second
factor (allauth.mfa: TOTP, WebAuthn passkey) is sent to set one up before
any admin page; everyone else passes through untouched. Set
``WAGTAILADMIN_LOGIN_URL = "account_login"`` so that admins sign in through
allauth, which then asks for the second factor.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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


#: What a staff user may reach before setting up a factor: allauth's pages.
ALLOWED_PREFIXES = ("/accounts/",)


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if conf.get("REQUIRE_STAFF_MFA") and self._needs_factor(request):
            return redirect(f"{reverse('mfa_index')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _needs_factor(request) -> bool:
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if not user.has_perm("wagtailadmin.access_admin"):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
