from .approval import Approval
from .base import ResultEntry, VotingMethod
from .budget import Budget
from .ranked import Ranked
from .score import Score
from .single import SingleChoice
from .yes_no import YesNo

BUILTIN_METHODS: list[type[VotingMethod]] = [YesNo, SingleChoice, Approval, Ranked, Score, Budget]

__all__ = [
    "BUILTIN_METHODS",
    "Approval",
    "Budget",
    "Ranked",
    "ResultEntry",
    "Score",
    "SingleChoice",
    "VotingMethod",
    "YesNo",
]
