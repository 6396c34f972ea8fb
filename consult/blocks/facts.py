"""Key facts (label/value pairs) and the documents behind a consultation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from .base import PREVIEW_TEMPLATE, ConsultStructBlock


class FactBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Label"), max_length=80)
    value = blocks.CharBlock(label=_("Value"), max_length=200)

    class Meta:
        icon = "info-circle"
        label = _("Fact")


class KeyFactsBlock(ConsultStructBlock):
    """A description list of facts (“Budget: €2 million”) and a list of
    documents to download, each with its type and size."""

    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=160, default=_("Key facts")
    )
    facts = blocks.ListBlock(FactBlock(), label=_("Facts"), min_num=0)
    documents = blocks.ListBlock(
        DocumentChooserBlock(label=_("Document")), label=_("Documents"), min_num=0
    )

    class Meta:
        icon = "info-circle"
        label = _("Key facts and documents")
        template = "consult/blocks/key_facts.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "Short facts as label and value (budget, area, deadline) and documents "
            "to download, such as plans and reports."
        )
        # Documents stay empty: a preview must not depend on what the library holds.
        preview_value = {
            "heading": _("Key facts"),
            "facts": [
                {"label": _("Budget"), "value": _("€2.4 million")},
                {"label": _("Area"), "value": _("6,800 m²")},
                {"label": _("Works start"), "value": _("Spring next year")},
            ],
            "documents": [],
        }

    def get_api_representation(self, value, context=None):
        return {
            "heading": value.get("heading") or "",
            "facts": [
                {"label": fact["label"], "value": fact["value"]} for fact in value.get("facts", [])
            ],
            "documents": [
                {
                    "id": document.pk,
                    "title": document.title,
                    "url": document.url,
                    "file_extension": document.file_extension,
                    "file_size": document.file_size,
                }
                for document in value.get("documents", [])
                if document is not None
            ],
        }
