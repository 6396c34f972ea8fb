"""The entry points of eligibility: what the voting and contribution services ask.

``refusal(user, page, action)`` is on the ballot's hot path. A page without
rules costs nothing beyond today's check (signed in, confirmed e-mail while
``REQUIRE_VERIFIED_EMAIL``): the rules are read from the page's
``eligibility`` column, which the ballot lookup loads with the question.
Each rule that needs a look-up makes at most one per check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from consult import conf, ratelimit
from consult.actor import as_actor
from consult.eligibility import census, codes
from consult.eligibility.accounts import has_verified_email, is_code_participant, is_signed_in
from consult.eligibility.base import Check, Unmet
from consult.eligibility.codes import participant_page
from consult.eligibility.fields import ACTIONS
from consult.eligibility.registry import get_rule
from consult.eligibility.rules.links import url
from consult.exceptions import ConsultError, EmailNotVerified, NotAuthenticated, NotEligible

#: ``unmet`` entry for a visitor who is not signed in.
SIGN_IN = "sign_in"


def configured(page) -> list[tuple[str, Mapping[str, Any]]]:
    """``(rule key, config)`` for every rule block of ``page``, in order."""
    if page is None:
        return []
    stream = page.eligibility
    if not stream:
        return []
    return [(block["type"], block.get("value") or {}) for block in stream.raw_data]


def applies(config: Mapping[str, Any], action: str) -> bool:
    actions = config.get("actions") or ()
    return not actions or action in actions


def _unmet(
    check: Check, rules: list[tuple[str, Mapping[str, Any]]], action: str
) -> Iterator[Unmet]:
    if participant_bound_elsewhere(check):
        yield Unmet(
            "voting_code",
            _("Your voting code is for another consultation. Sign in with your own account here."),
            None,
        )
        return
    if not rules:
        if conf.get("REQUIRE_VERIFIED_EMAIL") and not has_verified_email(check.user):
            yield Unmet("verified_email", EmailNotVerified.default_detail, url("account_email"))
        return
    for key, config in rules:
        if not applies(config, action):
            continue
        rule = get_rule(key)
        if rule is None:  # a rule the site no longer has: nobody meets it
            yield Unmet(key, _("This consultation uses a rule the site cannot check."), None)
            continue
        unmet = rule.unmet(check, config)
        if unmet is not None:
            yield unmet


def participant_bound_elsewhere(check: Check) -> bool:
    """A code account acts on its own consultation only (no query for other accounts)."""
    if not is_code_participant(check.user):
        return False
    bound = check.remember("participant_page", lambda: participant_page(check.user))
    return bound != str(check.page.translation_key) if check.page is not None else True


def refusal(user, page, action: str) -> ConsultError | None:
    """Why ``user`` may not ``action`` (vote, propose, comment, support) on
    ``page``, or None. ``page`` None: the default rules of a page without any."""
    if not is_signed_in(user):
        return NotAuthenticated()
    rules = configured(page)
    for unmet in _unmet(Check(user, page), rules, action):
        if unmet.rule == "verified_email" and not rules:
            return EmailNotVerified()
        return NotEligible(unmet.detail, rule=unmet.rule, action_url=unmet.action_url)
    return None


def document(user, page) -> dict[str, Any]:
    """The eligibility document of ``user`` on ``page`` (SPEC §10)."""
    if not is_signed_in(user):
        return {
            "eligible": False,
            "actions": dict.fromkeys(ACTIONS, False),
            "unmet": [
                Unmet(SIGN_IN, NotAuthenticated.default_detail, url("account_login")).as_dict()
            ],
        }
    check = Check(user, page)
    rules = configured(page)
    actions: dict[str, bool] = {}
    unmet: dict[str, Unmet] = {}
    for action in ACTIONS:
        found = list(_unmet(check, rules, action))
        actions[action] = not found
        for item in found:
            unmet.setdefault(item.rule, item)
    return {
        "eligible": all(actions.values()),
        "actions": actions,
        "unmet": [item.as_dict() for item in unmet.values()],
    }


def summary(page) -> list[dict[str, Any]]:
    """Who may take part, rule by rule, in plain language (for the page)."""
    items = []
    for key, config in configured(page):
        rule = get_rule(key)
        if rule is None:
            continue
        actions = [action for action in ACTIONS if applies(config, action)]
        items.append({"rule": key, "text": rule.summary(config), "actions": actions})
    return items


def census_names(page) -> list[str]:
    return [
        str(config.get("census"))
        for key, config in configured(page)
        if key == "census" and config.get("census")
    ]


def claim_census(actor, page, identifier: object, birth_date: object) -> dict[str, Any]:
    """Claim the census entry of ``actor``'s user on ``page``; the new
    eligibility document.

    Every attempt counts against ``THROTTLE_RATES["census_claim"]``
    (``Throttled``); then ``NotAuthenticated``; ``NotEligible`` for a page
    without a census rule or details that match nothing;
    ``CensusEntryClaimed`` (see ``census.claim``).
    """
    actor = as_actor(actor)
    if not actor.signed_in:
        raise NotAuthenticated()
    ratelimit.hit("census_claim", actor)
    names = census_names(page)
    if not names:
        raise NotEligible(_("This consultation does not use a census."), rule="census")
    if not isinstance(identifier, str) or not isinstance(birth_date, str):
        raise census.no_match()
    census.claim(actor.user, names, identifier, birth_date)
    return document(actor.user, page)


def code_login(actor, page, code: object):
    """The participant account ``code`` signs in on ``page``. Every attempt
    counts against ``THROTTLE_RATES["code_login"]`` (per address when
    anonymous); ``NotEligible`` for an unknown, revoked or foreign code."""
    ratelimit.hit("code_login", as_actor(actor))
    if not isinstance(code, str) or len(code) > 100:
        raise codes.unknown_code()
    return codes.participant_for(page, code)
