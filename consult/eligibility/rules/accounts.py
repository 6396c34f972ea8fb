"""Rules about the account itself: a confirmed address, a group, an e-mail domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consult import conf
from consult.eligibility.accounts import has_verified_email
from consult.eligibility.base import Check, EligibilityRule, Unmet, list_values
from consult.eligibility.fields import SHIPPED
from consult.eligibility.rules.links import url


def _names(config: Mapping[str, Any], name: str) -> list[str]:
    return [str(value).strip() for value in list_values(config.get(name)) if str(value).strip()]


class VerifiedEmail(EligibilityRule):
    key = "verified_email"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        if has_verified_email(check.user):
            return None
        return Unmet(
            self.key,
            _("Please confirm your e-mail address first: follow the link we sent you."),
            url("account_email"),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(_("people who have confirmed their e-mail address"))


class Group(EligibilityRule):
    key = "group"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        names = _names(config, "groups")
        groups = check.remember(
            "groups", lambda: set(check.user.groups.values_list("name", flat=True))
        )
        if groups & set(names):
            return None
        return Unmet(
            self.key,
            _("Only members of certain groups may take part here. Ask the organisers to add you."),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(
            format_lazy(_("members of: {groups}"), groups=", ".join(_names(config, "groups")))
        )


class EmailDomain(EligibilityRule):
    key = "email_domain"
    label, fields = SHIPPED[key]

    def unmet(self, check: Check, config: Mapping[str, Any]) -> Unmet | None:
        domains = {domain.lower().lstrip("@") for domain in _names(config, "domains")}
        if domains & check.remember("domains", lambda: _verified_domains(check.user)):
            return None
        return Unmet(
            self.key,
            format_lazy(
                _("Take part with a confirmed e-mail address at {domains}."),
                domains=", ".join(sorted(domains)),
            ),
            url("account_email"),
        )

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(
            format_lazy(
                _("people with an e-mail address at {domains}"),
                domains=", ".join(_names(config, "domains")),
            )
        )


def _verified_domains(user) -> set[str]:
    if not conf.allauth_installed():
        addresses = [user.email] if getattr(user, "email", "") else []
    else:
        from allauth.account.models import EmailAddress

        addresses = EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    return {address.rsplit("@", 1)[-1].lower() for address in addresses if "@" in address}
