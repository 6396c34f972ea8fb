"""Live results of one question, on its consultation page or on any other page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from consult import privacy
from consult.exceptions import TranslationOutOfDate
from consult.models import Question
from consult.voting import presenter, translations

from .base import (
    PREVIEW_TEMPLATE,
    ConsultStructBlock,
    actor_of,
    current_page,
    is_preview,
    page_url,
)
from .choosers import QuestionChooserBlock


def _sample_question_context() -> dict[str, Any]:
    """A yes/no tally to preview the block when no question exists yet."""
    results = [
        {"key": "yes", "label": _("Yes"), "votes": 312},
        {"key": "no", "label": _("No"), "votes": 164},
        {"key": "abstain", "label": _("Abstain"), "votes": 24},
    ]
    question = {"pk": 0, "title": _("Should the market square be car-free?"), "max_score": 5}
    return {
        "question": question,
        "tally": {
            "question": 0,
            "method": "yes_no",
            "version": 500,
            "ballots": 500,
            "results": results,
        },
        "turnout": {"question": 0, "version": 500, "ballots": 500},
        "prefix": "consult-preview-",
    }


def _visible_question(question, context):
    """``question`` if the block may show it here: its consultation is live
    and not hidden by page privacy from the viewer, or this is a preview."""
    if question is None:
        return None
    if is_preview(context):
        return question
    if question.page.live and privacy.is_visible(actor_of(context), question.page):
        return question
    return None


class LiveResultsBlock(ConsultStructBlock):
    """The tally of a chosen question, following the public results rules of
    its consultation (``results_visibility``): where results are not visible
    yet, only the turnout shows. Outside its consultation page the block
    carries what ``consult.js`` needs to follow the tally over the websocket."""

    question = QuestionChooserBlock(label=_("Question"))
    heading = blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=160,
        help_text=_("Leave empty to use the question itself."),
    )

    class Meta:
        icon = "table"
        label = _("Live results")
        template = "consult/blocks/live_results.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "The live tally of one question, as a chart with a data table. "
            "Hidden results show the turnout only."
        )
        # The question is chosen in get_preview_value: none may exist yet.
        preview_value = {"question": None, "heading": ""}

    def get_preview_value(self):
        question = (
            Question.objects.filter(page__live=True).select_related("page").order_by("-pk").first()
        )
        return self.normalize({"question": question, "heading": ""})

    def question_context(self, question, context) -> dict[str, Any] | None:
        if question is None:
            return None
        try:
            # A translated question shows the tally of its original, in its words.
            shared = translations.shared_question(question)
        except TranslationOutOfDate:
            shared = question
        results = presenter.present(question, shared)
        return {
            "question": question,
            "tally": results.tally,
            "tally_pending": results.pending,
            "turnout": results.turnout,
        }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        question = _visible_question(value.get("question"), parent_context)
        q = self.question_context(question, parent_context)
        if q is None and (parent_context or {}).get("consult_block_preview"):
            q = _sample_question_context()
        if q is not None:
            q["prefix"] = f"{context['consult_dom_id']}-"
        consultation = question.page if question is not None else None
        here = current_page(parent_context)
        context.update(
            {
                "q": q,
                "page": consultation,
                "consultation_url": page_url(consultation, parent_context),
                # On its own consultation page the page's script already
                # follows the consultation; elsewhere the block is its own root.
                "live_root": consultation is not None
                and (here is None or here.pk != consultation.pk),
                "websocket_path": f"/ws/consult/consultations/{consultation.pk}/"
                if consultation is not None
                else "",
                "api_base": _api_base(),
            }
        )
        return context

    def get_api_representation(self, value, context=None):
        question = _visible_question(value.get("question"), None)
        if question is None:
            return {"question": None}
        q = self.question_context(question, context)
        return {
            "question": question.pk,
            "consultation": question.page_id,
            "heading": value.get("heading") or question.title,
            "results_visible": q["tally"] is not None,
            "tally": q["tally"],
            "turnout": q["turnout"],
        }


def _api_base() -> str:
    return reverse("consult:api-consultations").rsplit("consultations/", 1)[0]
