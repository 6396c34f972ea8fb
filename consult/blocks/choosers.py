"""Choosers the blocks use: a consultation (a page chooser limited to
``ConsultationPage``) and a question (a chooser modal of its own).

Nothing here imports ``consult.models`` at module level: the models import
``consult.blocks`` for the page's StreamField. Models are named by string and
resolved when first used.

``question_chooser_viewset`` must be registered with the admin (the app's
``wagtail_hooks`` does it) for the chooser modal to have its URLs.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import BaseChooser
from wagtail.blocks import PageChooserBlock

from consult.models import Question
from consult.voting.registry import method_choices

CONSULTATION_PAGE = "consult.ConsultationPage"


def question_label(question) -> str:
    """“Consultation — question”: a question title alone is often ambiguous."""
    page = getattr(question, "page", None)
    if page is None:
        return question.title
    return f"{page.title} — {question.title}"


class QuestionFilterForm(BaseFilterForm):
    """Searches question and consultation titles (questions are not in the
    search index, and a chooser of a few hundred rows does not need it)."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(title__icontains=query) | Q(page__title__icontains=query))
            self.is_searching = True
            self.search_query = query
        return objects


class _QuestionListing:
    filter_form_class = QuestionFilterForm

    def get_object_list(self):
        return Question.objects.select_related("page").order_by(
            "-page__latest_revision_created_at", "page_id", "sort_order"
        )

    @property
    def columns(self):
        title, *others = super().columns
        title.label = _("Question")
        title.accessor = "title"
        return [
            title,
            Column("consultation", label=_("Consultation"), accessor=lambda q: q.page.title),
            Column("method", label=_("Voting method"), accessor=_method_label),
            *others,
        ]


def _method_label(question) -> str:
    return dict(method_choices()).get(question.method, question.method)


class QuestionChooseView(_QuestionListing, ChooseView):
    pass


class QuestionChooseResultsView(_QuestionListing, ChooseResultsView):
    pass


class QuestionChosenView(ChosenView):
    def get_display_title(self, instance):
        return question_label(instance)


class QuestionChooserWidget(BaseChooser):
    choose_one_text = _("Choose a question")
    choose_another_text = _("Choose another question")
    link_to_chosen_text = _("Edit its consultation")
    show_edit_link = False

    def get_display_title(self, instance):
        return question_label(instance)


class QuestionChooserViewSet(ChooserViewSet):
    model = "consult.Question"
    icon = "list-ol"
    choose_one_text = _("Choose a question")
    choose_another_text = _("Choose another question")
    choose_view_class = QuestionChooseView
    choose_results_view_class = QuestionChooseResultsView
    chosen_view_class = QuestionChosenView
    base_widget_class = QuestionChooserWidget
    # Only the blocks use this chooser: other forms keep their own widgets for
    # foreign keys to Question.
    register_widget = False


question_chooser_viewset = QuestionChooserViewSet("consult_question_chooser")

#: A StreamField block choosing one ``consult.Question``.
QuestionChooserBlock = question_chooser_viewset.get_block_class(
    name="QuestionChooserBlock", module_path="consult.blocks.choosers"
)


class ConsultationChooserBlock(PageChooserBlock):
    """A page chooser limited to consultations. Left empty in a block placed
    on a consultation page, the blocks use that page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("page_type", CONSULTATION_PAGE)
        super().__init__(**kwargs)
