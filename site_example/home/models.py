from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from consult.blocks import (
    CallToActionBlock,
    HeadingBlock,
    KeyFactsBlock,
    LiveResultsBlock,
    ParagraphBlock,
    PhaseTimelineBlock,
    ProposalsListBlock,
)


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)
    consultations = models.ForeignKey(
        "consult.ConsultationIndexPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("consultations page"),
    )
    # The app's blocks on a page of the host site, as the package documents.
    body = StreamField(
        [
            ("heading", HeadingBlock()),
            ("paragraph", ParagraphBlock()),
            ("call_to_action", CallToActionBlock()),
            ("live_results", LiveResultsBlock()),
            ("proposals", ProposalsListBlock()),
            ("timeline", PhaseTimelineBlock()),
            ("key_facts", KeyFactsBlock()),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        PageChooserPanel("consultations"),
        FieldPanel("body"),
    ]
    max_count = 1
