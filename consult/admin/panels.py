"""The consultation page's editing panels, handed to the model by
``ConsultConfig.ready()``: they use the admin's forms, which the models do
not import."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.panels.base import get_form_for_model
from wagtail.models import Page

from consult.admin.forms import ConsultationPageForm, QuestionForm


class FormClassInlinePanel(InlinePanel):
    """An ``InlinePanel`` whose child forms are built on ``form_class``.

    Wagtail builds the child form of an inline panel from
    ``WagtailAdminModelForm`` whenever it defers required fields for drafts,
    ignoring the child model's ``base_form_class``; this panel always uses
    the class it is given.
    """

    def __init__(self, *args, form_class, **kwargs):
        self.form_class = form_class
        super().__init__(*args, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "form_class": self.form_class}

    def get_form_options(self):
        options = super().get_form_options()
        child_options = self.child_edit_handler.get_form_options()
        extra = {}
        if child_options.get("defer_required_on_fields"):
            extra["defer_required_on_fields"] = child_options["defer_required_on_fields"]
        options["formsets"][self.relation_name]["form"] = get_form_for_model(
            self.db_field.related_model, form_class=self.form_class, **extra
        )
        return options


def configure_consultation_page(model) -> None:
    """Give the consultation page model its panels and its admin form."""
    model.content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("proposals_open_at"), FieldPanel("proposals_close_at")]),
                FieldRowPanel([FieldPanel("voting_open_at"), FieldPanel("voting_close_at")]),
            ],
            heading=_("Phases"),
            help_text=_("Leave both dates of a phase empty to switch that phase off."),
        ),
        FormClassInlinePanel(
            "questions", form_class=QuestionForm, heading=_("Questions"), label=_("Question")
        ),
    ]
    model.settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldPanel("results_visibility"),
                FieldPanel("ballot_secrecy"),
                FieldPanel("allow_vote_change"),
                FieldPanel("comments_enabled"),
                FieldPanel("moderation"),
                FieldPanel("support_threshold"),
            ],
            heading=_("Participation rules"),
        ),
    ]
    model.edit_handler = TabbedInterface(
        [
            ObjectList(model.content_panels, heading=_("Content")),
            ObjectList([FieldPanel("eligibility")], heading=_("Who may take part")),
            ObjectList(model.promote_panels, heading=_("Promote")),
            ObjectList(model.settings_panels, heading=_("Settings")),
        ]
    )
    model.base_form_class = ConsultationPageForm
