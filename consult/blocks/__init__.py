"""StreamField blocks editors place on consultation pages (and on any page).

A host site uses them in its own StreamFields, e.g.::

    from consult.blocks import CallToActionBlock, LiveResultsBlock

    body = StreamField([("results", LiveResultsBlock()), ("cta", CallToActionBlock())])

The question chooser of ``LiveResultsBlock`` needs ``question_chooser_viewset``
registered in the admin, which the app's ``wagtail_hooks`` does.

Dependency direction: ``base`` and ``choosers`` first, then one module per
block, then ``body`` (the consultation page's StreamBlock). Blocks import
models, permissions and tallies inside functions only: the models import
this package.
"""

from .body import ConsultationBodyBlock, HeadingBlock, ParagraphBlock
from .choosers import ConsultationChooserBlock, QuestionChooserBlock, question_chooser_viewset
from .eligibility import EligibilityBlock
from .facts import FactBlock, KeyFactsBlock
from .phases import CallToActionBlock, PhaseTimelineBlock
from .proposals import ProposalsListBlock
from .results import LiveResultsBlock

__all__ = [
    "CallToActionBlock",
    "ConsultationBodyBlock",
    "ConsultationChooserBlock",
    "EligibilityBlock",
    "FactBlock",
    "HeadingBlock",
    "KeyFactsBlock",
    "LiveResultsBlock",
    "ParagraphBlock",
    "PhaseTimelineBlock",
    "ProposalsListBlock",
    "QuestionChooserBlock",
    "question_chooser_viewset",
]
