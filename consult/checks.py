"""System checks for the wiring a host site must provide."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register

REQUIRED_APPS = ["rest_framework", "channels"]


@register()
def check_host_wiring(app_configs, **kwargs):
    problems = []
    for app in REQUIRED_APPS:
        if not apps.is_installed(app):
            problems.append(
                Error(
                    f"wagtail-consult needs {app!r} in INSTALLED_APPS.",
                    id="consult.E001",
                )
            )
    if not getattr(settings, "ASGI_APPLICATION", None):
        problems.append(
            Warning(
                "ASGI_APPLICATION is not set: live results need the site served over ASGI.",
                hint="Create asgi.py as the README shows and set ASGI_APPLICATION.",
                id="consult.W001",
            )
        )
    if apps.is_installed("allauth.account"):
        middleware = getattr(settings, "MIDDLEWARE", [])
        if "allauth.account.middleware.AccountMiddleware" not in middleware:
            problems.append(
                Error(
                    "allauth is installed but its AccountMiddleware is not in MIDDLEWARE.",
                    id="consult.E002",
                )
            )
    from consult import conf

    if conf.get("REQUIRE_STAFF_MFA"):
        middleware = getattr(settings, "MIDDLEWARE", [])
        if not apps.is_installed("allauth.mfa"):
            problems.append(
                Error(
                    'CONSULT["REQUIRE_STAFF_MFA"] needs "allauth.mfa" in INSTALLED_APPS.',
                    id="consult.E003",
                )
            )
        if "consult.middleware.StaffMFAMiddleware" not in middleware:
            problems.append(
                Error(
                    'CONSULT["REQUIRE_STAFF_MFA"] needs "consult.middleware.StaffMFAMiddleware" '
                    "in MIDDLEWARE, after AuthenticationMiddleware.",
                    id="consult.E004",
                )
            )
    return problems
