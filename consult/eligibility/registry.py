"""Eligibility rules by key: the shipped ones plus ``CONSULT["ELIGIBILITY_RULES"]``."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from consult import conf
from consult.eligibility.base import EligibilityRule
from consult.eligibility.rules import BUILTIN_RULES


@cache
def _registry() -> dict[str, EligibilityRule]:
    classes = list(BUILTIN_RULES)
    for path in conf.get("ELIGIBILITY_RULES"):
        cls = import_string(path)
        if not (isinstance(cls, type) and issubclass(cls, EligibilityRule)):
            raise ImproperlyConfigured(
                f"CONSULT['ELIGIBILITY_RULES']: {path} is not an EligibilityRule"
            )
        classes.append(cls)
    return {cls.key: cls() for cls in classes}


def _reset(*, setting: str, **kwargs) -> None:
    if setting == "CONSULT":
        _registry.cache_clear()


setting_changed.connect(_reset)


def get_rule(key: str) -> EligibilityRule | None:
    """The rule ``key``, or None for a block whose rule is no longer installed."""
    return _registry().get(key)


def rules() -> dict[str, EligibilityRule]:
    return dict(_registry())
