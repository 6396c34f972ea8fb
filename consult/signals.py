"""Signals sent by the services after a write, inside its transaction.

Receivers that talk to the outside world should use
``transaction.on_commit``: the transaction may still roll back.
"""

from django.dispatch import Signal

#: A ballot was cast or replaced. Arguments: ``question`` (Question),
#: ``voter`` (the user), ``created`` (False when an earlier ballot was replaced).
ballot_cast = Signal()

#: A voter withdrew their ballot. Arguments: ``question``, ``voter``.
ballot_retracted = Signal()

# Citizens' contributions (consult.contributions.services). ``sender`` is the
# model class (Proposal, Comment, Report).

#: A proposal was submitted. Arguments: ``proposal``, ``user`` (its author).
proposal_submitted = Signal()

#: An author changed their pending proposal. Arguments: ``proposal``, ``user``.
proposal_edited = Signal()

#: An author withdrew their proposal. Arguments: ``proposal``, ``user``.
proposal_withdrawn = Signal()

#: A citizen supported a proposal or withdrew their support. Arguments:
#: ``proposal`` (``supports`` not refreshed), ``user``, ``supported`` (bool).
proposal_supported = Signal()

#: An editor gave a proposal its official answer. Arguments: ``proposal``,
#: ``user`` (the editor).
proposal_answered = Signal()

#: A comment or reply was posted. Arguments: ``comment``, ``user``.
comment_posted = Signal()

#: An author edited their comment. Arguments: ``comment``, ``user``.
comment_edited = Signal()

#: An author deleted their comment (its body is blanked, the comment stays as
#: a placeholder in its thread). Arguments: ``comment``, ``user``.
comment_deleted = Signal()

#: The public comments of a consultation changed (posted, edited, deleted,
#: moderated); their feed's version was numbered up. Arguments: ``page_id``.
comments_changed = Signal()

#: A citizen reported a comment or a proposal. Arguments: ``report``, ``user``.
contribution_reported = Signal()

#: A moderator approved, rejected or hid a proposal or comment. Arguments:
#: ``instance``, ``user`` (the moderator), ``action`` ("approve", "reject",
#: "hide"), ``previous_status``, ``note`` (the moderator's note, may be "").
contribution_moderated = Signal()
