"""Admin forms for consultation pages and their nested questions.

Kept free of model imports at module level: the models use these classes.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from consult.models import Option, Question
from consult.models.questions import STRUCTURE_FIELDS
from consult.voting import translations
from consult.voting.registry import get_method, method_choices

LOCKED_HELP = _(
    "People have already voted on this question, so its voting method, its limits "
    "and its options can no longer change: that would alter ballots already cast."
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
            for name in STRUCTURE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
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
            # A form older than the vote (another editor's tab, an old
            # revision) may lack an option people have chosen since.
            shown = {form.instance.pk for form in options.forms if form.instance.pk}
            stored = set(
                self.instance.options.model.objects.filter(
                    question_id=self.instance.pk
                ).values_list("pk", flat=True)
            )
            if deleted or added or stored - shown:
                raise forms.ValidationError(LOCKED_HELP)
        method = get_method(cleaned.get("method") or self.instance.method)
        for message in method.config_errors(cleaned, len(kept)):
            self.add_error(None, message)
        return cleaned


TRANSLATION_HELP = _(
    "This consultation is a translation: it shares its ballots with the original, so its "
    "questions, voting methods, limits and options follow the original. Translate the texts "
    "here; change the rest in the original."
)
TRANSLATED_HELP = _(
    "This consultation has translations that share its ballots: its questions can no longer "
    "be removed or reordered. New questions can be added at the end."
)


def _pks_in_order(formset) -> list[int | None]:
    """Primary keys of a formset's objects in the order the form puts them
    (None for new ones), deleted ones left out."""
    forms_ = formset.ordered_forms if formset.can_order else formset.forms
    deleted = set(formset.deleted_forms) if formset.can_delete else set()
    return [
        form.instance.pk
        for form in forms_
        if form not in deleted and (form.instance.pk or form.has_changed())
    ]


def _stored_pks(model, **lookup) -> list[int]:
    return list(
        model.objects.filter(**lookup).order_by("sort_order", "pk").values_list("pk", flat=True)
    )


class ConsultationPageForm(WagtailAdminPageForm):
    """Refuses to delete a question that already has ballots, and keeps the
    structure that translations share (see ``consult.voting.translations``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.translation_source = None
        self.has_translations = False
        if self.instance.pk:
            if translations.is_translation(self.instance):
                self.translation_source = translations.source_page(self.instance)
            self.has_translations = translations.has_translations(self.instance)
        questions = self.formsets.get("questions")
        if self.translation_source is not None and questions is not None:
            for form in questions.initial_forms:
                for name in STRUCTURE_FIELDS:
                    if name in form.fields:
                        form.fields[name].disabled = True
                form.fields["method"].help_text = TRANSLATION_HELP
                for option_form in form.formsets["options"].initial_forms:
                    option_form.fields["cost"].disabled = True

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
            self.check_shared_structure(questions)
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

    def check_shared_structure(self, questions) -> None:
        """Translations map to their original by position: keep positions."""
        if not (self.translation_source or self.has_translations):
            return
        stored = _stored_pks(Question, page_id=self.instance.pk)
        order = _pks_in_order(questions)
        # The stored questions first, in their order; new ones after them.
        if order[: len(stored)] != stored:
            raise forms.ValidationError(
                TRANSLATION_HELP if self.translation_source else TRANSLATED_HELP
            )
        if self.translation_source is None:
            return
        added = [form for form in questions.forms if not form.instance.pk and form.has_changed()]
        changed = any(
            _pks_in_order(form.formsets["options"])
            != _stored_pks(Option, question_id=form.instance.pk)
            or any(not f.instance.pk and f.has_changed() for f in form.formsets["options"].forms)
            for form in questions.forms
            if form.instance.pk
        )
        if added or changed:
            raise forms.ValidationError(TRANSLATION_HELP)
