"""``ConsultationPage.eligibility``: one block per rule, its type the rule's key.

Every block has ``actions`` (which ways of taking part it guards; none
ticked: all) and the rule's own fields. Extra rules listed in
``CONSULT["ELIGIBILITY_RULES"]`` bring their ``fields``; their modules are
imported here, so they must not import ``consult.models`` at import time
(subclass ``consult.eligibility.base.EligibilityRule``, which does not).
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from consult import conf
from consult.eligibility.fields import SHIPPED, actions_block


def rule_block(label, fields) -> blocks.StructBlock:
    return blocks.StructBlock([("actions", actions_block()), *fields], label=label)


class EligibilityBlock(blocks.StreamBlock):
    def __init__(self, local_blocks=None, **kwargs):
        children = [(key, rule_block(label, fields)) for key, (label, fields) in SHIPPED.items()]
        for path in conf.get("ELIGIBILITY_RULES"):
            rule = import_string(path)
            children.append((rule.key, rule_block(rule.label, rule.fields)))
        super().__init__([*children, *(local_blocks or [])], **kwargs)

    class Meta:
        label = _("Who may take part")
