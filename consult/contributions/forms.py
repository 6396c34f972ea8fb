"""Forms of the citizen pages (JavaScript off: plain POSTs).

They parse and check what a browser sends, for errors shown next to each
field; the services check the same rules again, as for the API.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consult import conf
from consult.models import Category
from consult.models.comments import ReportReason, Stance


class AccessibleErrorsMixin:
    """Points each invalid field's ``aria-describedby`` at its error message
    (``<id>_error``) as well as its help text; Django links the help text only."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field, bound = self.fields[name], self[name]
            ids = [f"{bound.auto_id}_error"]
            if field.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            field.widget.attrs["aria-describedby"] = " ".join(ids)


class ProposalForm(AccessibleErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField()  # built in __init__: its length limit is a setting
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("No category"),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Optional place, in decimal degrees (for example 48.137154)."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("For example 11.576124."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = forms.CharField(
            label=_("Your proposal"),
            max_length=int(conf.get("PROPOSAL_MAX_LENGTH")),
            widget=forms.Textarea(attrs={"rows": 10}),
            help_text=_(
                "Plain text. Leave an empty line between paragraphs; web addresses become links."
            ),
        )
        self.order_fields(["title", "body"])
        if not self.fields["category"].queryset.exists():
            del self.fields["category"]

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            if not self.has_error("latitude") and not self.has_error("longitude"):
                raise forms.ValidationError(
                    _("Give both latitude and longitude for a place, or neither.")
                )
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"))
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices, required=False)
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    proposal = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Your comment"))
    stance = forms.ChoiceField(label=_("Your position"), choices=Stance.choices, required=False)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReportReason.choices)
    details = forms.CharField(label=_("Details"), required=False, max_length=1000)


class SupportForm(forms.Form):
    action = forms.ChoiceField(choices=[("support", "support"), ("withdraw", "withdraw")])
