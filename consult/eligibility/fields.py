"""The fields editors fill in for each shipped rule, as Wagtail blocks.

``consult.blocks.eligibility`` builds ``ConsultationPage.eligibility`` from
these (plus each extra rule's ``fields``); the rules read the same names
from the stored value. Kept apart from the rules because it is needed while
the models load, and the rules read models.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

ACTIONS = ("vote", "propose", "comment", "support")

ACTION_CHOICES = [
    ("vote", _("Vote")),
    ("propose", _("Propose")),
    ("comment", _("Comment")),
    ("support", _("Support proposals")),
]

FieldList = list[tuple[str, blocks.Block]]


def actions_block() -> blocks.Block:
    return blocks.MultipleChoiceBlock(
        choices=ACTION_CHOICES,
        required=False,
        label=_("Applies to"),
        help_text=_("Leave all unticked to apply this rule to every way of taking part."),
        widget=forms.CheckboxSelectMultiple,
    )


def _names(label, help_text) -> blocks.Block:
    return blocks.ListBlock(blocks.CharBlock(max_length=255), label=label, help_text=help_text)


SHIPPED: dict[str, tuple[str, FieldList]] = {
    "verified_email": (_("Confirmed e-mail address"), []),
    "group": (
        _("Member of a group"),
        [("groups", _names(_("Groups"), _("Names of user groups; membership of one is enough.")))],
    ),
    "email_domain": (
        _("E-mail address at a domain"),
        [
            (
                "domains",
                _names(
                    _("Domains"),
                    _("For example example.org: a confirmed address there is needed."),
                ),
            )
        ],
    ),
    "census": (
        _("Listed in a census"),
        [
            (
                "census",
                blocks.CharBlock(
                    max_length=100,
                    label=_("Census"),
                    help_text=_("The name of a census uploaded under Consultations › Census."),
                ),
            ),
            (
                "postcodes",
                blocks.ListBlock(
                    blocks.CharBlock(max_length=20),
                    required=False,
                    default=[],
                    label=_("Postcodes"),
                    help_text=_(
                        "Only people listed with one of these postcodes (a district). "
                        "Leave empty for everyone in the census."
                    ),
                ),
            ),
        ],
    ),
    "identity_provider": (
        _("Signed in with an identity provider"),
        [
            (
                "provider",
                blocks.CharBlock(
                    max_length=100,
                    label=_("Provider"),
                    help_text=_("The provider id configured for the site's eID login."),
                ),
            ),
            (
                "claims",
                blocks.ListBlock(
                    blocks.StructBlock(
                        [
                            ("claim", blocks.CharBlock(max_length=100, label=_("Claim"))),
                            ("value", blocks.CharBlock(max_length=255, label=_("Required value"))),
                        ]
                    ),
                    required=False,
                    default=[],
                    label=_("Required claims"),
                    help_text=_("For example acr with the assurance level the law asks for."),
                ),
            ),
        ],
    ),
    "minimum_age": (
        _("Minimum age"),
        [
            (
                "years",
                blocks.IntegerBlock(
                    min_value=0,
                    max_value=130,
                    label=_("Years"),
                    help_text=_(
                        "Age reached in the year voting closes (a census gives the "
                        "birth year only)."
                    ),
                ),
            )
        ],
    ),
    "voting_code": (_("Voting code from a letter"), []),
}
