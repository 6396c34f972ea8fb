"""Public model names. Dependency direction: pages -> questions -> ballots;
proposals and comments hang off pages. Models never import ``voting`` or
``realtime``: those layers read models, not the other way round."""

from .ballots import Ballot, Participation, Tally, TallyCount
from .categories import Category
from .comments import Comment, CommentFeed, Report
from .eligibility import Census, CensusEntry, Participant, VotingCode, VotingCodeBatch
from .ledger import LogEntry, LogHead
from .notifications import Digest, Follow, Notification, NotificationPreference, PhaseEvent
from .pages import ConsultationIndexPage, ConsultationPage
from .proposals import Proposal, Support
from .questions import Option, Question
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Ballot",
    "Category",
    "Census",
    "CensusEntry",
    "Comment",
    "CommentFeed",
    "ConsultationIndexPage",
    "ConsultationPage",
    "Digest",
    "Follow",
    "LogEntry",
    "LogHead",
    "Notification",
    "NotificationPreference",
    "Option",
    "Participant",
    "Participation",
    "PhaseEvent",
    "Proposal",
    "Question",
    "Report",
    "Support",
    "Tally",
    "TallyCount",
    "VotingCode",
    "VotingCodeBatch",
]
