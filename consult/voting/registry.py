"""Voting methods by key: the built-in ones plus ``CONSULT["VOTING_METHODS"]``."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from consult import conf
from consult.voting.methods import BUILTIN_METHODS, VotingMethod


@cache
def _registry() -> dict[str, VotingMethod]:
    classes = list(BUILTIN_METHODS)
    for path in conf.get("VOTING_METHODS"):
        cls = import_string(path)
        if not (isinstance(cls, type) and issubclass(cls, VotingMethod)):
            raise ImproperlyConfigured(f"CONSULT['VOTING_METHODS']: {path} is not a VotingMethod")
        classes.append(cls)
    return {cls.key: cls() for cls in classes}


def _reset(*, setting: str, **kwargs) -> None:
    if setting == "CONSULT":
        _registry.cache_clear()


setting_changed.connect(_reset)


def get_method(key: str) -> VotingMethod:
    try:
        return _registry()[key]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown voting method {key!r}") from None


def voting_methods() -> dict[str, VotingMethod]:
    """Every voting method by key, built-in ones first."""
    return dict(_registry())


def method_choices() -> list[tuple[str, str]]:
    return [(key, str(method.label)) for key, method in _registry().items()]
