"""``identity_provider``: the person signed in through an allauth social provider
(a city's eID over OpenID Connect), optionally with required claim values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consult.eligibility.base import Check, EligibilityRule, Unmet, list_values
from consult.eligibility.fields import SHIPPED
from consult.eligibility.rules.links import url


def required_claims(config: Mapping[str, Any]) -> dict[str, str]:
    """``claims`` as stored by the admin (a list of claim/value pairs) or as a mapping."""
    value = config.get("claims") or {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {
        str(item["claim"]): str(item.get("value", ""))
        for item in list_values(value)
        if isinstance(item, Mapping) and item.get("claim")
    }


def identity_claims(check: Check) -> dict[str, dict[str, Any]]:
    """Claims per provider id from the user's social accounts (ID token and userinfo)."""

    def load() -> dict[str, dict[str, Any]]:
        if not apps.is_installed("allauth.socialaccount"):
            return {}
        from allauth.socialaccount.models import SocialAccount

        found: dict[str, dict[str, Any]] = {}
        for provider, data in SocialAccount.objects.filter(user=check.user).values_list(
            "provider", "extra_data"
        ):
            found[provider] = flatten_claims(data or {})
        return found

    return check.remember("identity_claims", load)


def flatten_claims(data: Mapping[str, Any]) -> dict[str, Any]:
    """allauth keeps the ID token's claims and the userinfo answer in ``extra_data``
    (under ``id_token`` and ``userinfo`` for OpenID Connect, or flat)."""
    claims: dict[str, Any] = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    for part in ("id_token", "userinfo"):
        if isinstance(data.get(part), Mapping):
            claims.update(data[part])
    return claims


class IdentityProvider(EligibilityRule):
    key = "identity_provider"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        provider = str(config.get("provider") or "")
        claims = identity_claims(check).get(provider)
        wanted = required_claims(config)
        if claims is not None and all(str(claims.get(k)) == v for k, v in wanted.items()):
            return None
        login = url("openid_connect_login", provider)
        if claims is None:
            return Unmet(
                self.key,
                _("Sign in once with the city's electronic identity (eID) to take part."),
                login,
            )
        return Unmet(
            self.key,
            _(
                "Your eID login does not have the level of assurance this consultation needs. "
                "Sign in again with a stronger method."
            ),
            login,
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(
            format_lazy(
                _("people who sign in with the eID service {provider}"),
                provider=config.get("provider") or "",
            )
        )
