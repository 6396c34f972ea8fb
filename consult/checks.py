"""System checks for the wiring a host site must provide."""

import difflib

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register

from consult import conf

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
                hint="Create asgi.py as docs/how-to/install.md shows and set ASGI_APPLICATION.",
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
    problems.extend(check_trusted_proxies())
    if conf.get("REQUIRE_STAFF_MFA"):
        middleware = getattr(settings, "MIDDLEWARE", [])
        if not apps.is_installed("allauth.mfa"):
            problems.append(
                Error(
                    'CONSULT["REQUIRE_STAFF_MFA"] needs "allauth.mfa" in INSTALLED_APPS.',
                    id="consult.E005",
                )
            )
        if "consult.middleware.StaffMFAMiddleware" not in middleware:
            problems.append(
                Error(
                    'CONSULT["REQUIRE_STAFF_MFA"] needs "consult.middleware.StaffMFAMiddleware" '
                    "in MIDDLEWARE, after AuthenticationMiddleware.",
                    id="consult.E006",
                )
            )
    return problems


def check_trusted_proxies():
    """allauth reads the client address for its own rate limits: it must
    trust the same proxies as the package, or one of them can be fooled."""
    if not apps.is_installed("allauth.account"):
        return []
    ours = conf.get("TRUSTED_PROXY_COUNT") or 0
    theirs = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0
    if ours == theirs:
        return []
    return [
        Error(
            f'CONSULT["TRUSTED_PROXY_COUNT"] is {ours} but ALLAUTH_TRUSTED_PROXY_COUNT '
            f"is {theirs}: both must count the same reverse proxies.",
            hint="Set both from one value; see docs/how-to/when-things-fail.md.",
            id="consult.E004",
        )
    ]


@register()
def check_settings_keys(app_configs, **kwargs):
    """A misspelt ``CONSULT`` key would be ignored in silence: say so."""
    configured = getattr(settings, "CONSULT", None) or {}
    if not isinstance(configured, dict):
        return [Error("CONSULT must be a dict.", id="consult.E003")]
    return [
        Warning(
            f"CONSULT[{key!r}] is not a setting of wagtail-consult and is ignored.",
            hint=_close_match(key),
            id="consult.W002",
        )
        for key in sorted(set(configured) - set(conf.DEFAULTS), key=str)
    ]


def _close_match(key) -> str | None:
    matches = difflib.get_close_matches(str(key), list(conf.DEFAULTS), n=1)
    if matches:
        return f"Did you mean {matches[0]!r}?"
    return "See the settings reference in the documentation."
