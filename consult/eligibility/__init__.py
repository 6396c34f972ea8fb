"""Who may take part in a consultation: eligibility rules and the proofs they read.

Layout (imports flow downward):

- ``base``: the ``EligibilityRule`` interface and ``Unmet``; imports no model,
  so a rule of a host can be imported while the models load.
- ``fields``: the admin fields of the shipped rules (wagtail blocks only).
- ``rules/``: the seven shipped rules; ``registry``: rules by key.
- ``normalise``, ``census``, ``codes``: census identifiers and voting codes.
- ``services``: ``refusal(user, page, action)`` and ``document(user, page)``,
  the only functions the voting and contribution services call.

This module imports nothing on purpose: ``consult.blocks`` reads ``fields``
while ``consult.models`` is still loading.
"""
