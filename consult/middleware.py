"""Multi-factor authentication for the Wagtail admin (``CONSULT["REQUIRE_STAFF_MFA"]``).

An admin user without a second factor (allauth.mfa: TOTP, WebAuthn passkey)
is sent to set one up before any admin page; everyone else passes through
untouched. Set ``WAGTAILADMIN_LOGIN_URL = "account_login"`` so that admins
sign in through allauth, which then asks for the second factor.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from consult import conf

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
