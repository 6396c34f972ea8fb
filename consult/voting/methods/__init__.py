from .base import ResultEntry, VotingMethod
from .single import SingleChoice
from .yes_no import YesNo

BUILTIN_METHODS: list[type[VotingMethod]] = [YesNo, SingleChoice]

__all__ = ["BUILTIN_METHODS", "ResultEntry", "SingleChoice", "VotingMethod", "YesNo"]
