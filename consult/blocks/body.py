from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .facts import KeyFactsBlock
from .phases import CallToActionBlock, PhaseTimelineBlock
from .proposals import ProposalsListBlock
from .results import LiveResultsBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading")), ("h3", _("Subsection heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "consult/blocks/heading.html"
        description = _("A section heading that also appears in the page outline.")
        preview_value = {"text": _("Why we are asking"), "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "ol", "ul", "document-link"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "consult/blocks/paragraph.html"
        description = _("Formatted text with links and lists.")
        preview_value = _("<p>The city wants to hear from you before it decides.</p>")


class ConsultationBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    live_results = LiveResultsBlock()
    proposals = ProposalsListBlock()
    phase_timeline = PhaseTimelineBlock()
    call_to_action = CallToActionBlock()
    key_facts = KeyFactsBlock()

    class Meta:
        label = _("Body")
