"""Admin forms for consultation pages and their nested questions.

Kept free of model imports at module level: the models use these classes.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from consult.voting.registry import get_method, method_choices

LOCKED_HELP = _(
    "People have already voted on this question, so its voting method and options "
    "can no longer change: that would alter ballots already cast."
)


class QuestionForm(WagtailAdminModelForm):
    """Offers the registered voting methods and locks a question that has ballots."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"] = forms.ChoiceField(
            label=_("Voting method"), choices=method_choices(), initial="yes_no"
        )
        self.locked = bool(self.instance.pk) and self.instance.has_ballots()
        if self.locked:
            self.fields["method"].disabled = True
            self.fields["method"].help_text = LOCKED_HELP
            for option_form in self.formsets["options"].initial_forms:
                for name in ("label", "description", "cost"):
                    option_form.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        options = self.formsets["options"]
        if not options.is_valid():
            return cleaned
        kept = [
            form
            for form in options.forms
            if form.has_changed() or form.instance.pk
            if not options._should_delete_form(form)
        ]
        if self.locked:
            deleted = [form for form in options.deleted_forms if form.instance.pk]
            added = [form for form in kept if not form.instance.pk]
            if deleted or added:
                raise forms.ValidationError(LOCKED_HELP)
        method = get_method(cleaned.get("method") or self.instance.method)
        for message in method.config_errors(cleaned, len(kept)):
            self.add_error(None, message)
        return cleaned


class ConsultationPageForm(WagtailAdminPageForm):
    """Refuses to delete a question that already has ballots."""

    def clean(self):
        cleaned = super().clean()
        questions = self.formsets.get("questions")
        if questions is not None and questions.is_valid():
            for form in questions.deleted_forms:
                if getattr(form, "locked", False):
                    form.add_error(None, LOCKED_HELP)
                    raise forms.ValidationError(
                        _("“%(title)s” has ballots and cannot be deleted.")
                        % {"title": form.instance.title}
                    )
        phases = [
            ("proposals_open_at", "proposals_close_at"),
            ("voting_open_at", "voting_close_at"),
        ]
        for opens, closes in phases:
            start, end = cleaned.get(opens), cleaned.get(closes)
            if end and not start:
                self.add_error(opens, _("A phase with an end needs a start."))
            elif start and end and end <= start:
                self.add_error(closes, _("The phase must end after it starts."))
        return cleaned
