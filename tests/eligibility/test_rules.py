"""Every shipped rule, the default without rules, actions, and the document."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from consult.eligibility import census, services
from consult.eligibility.base import Check, EligibilityRule, Unmet
from consult.eligibility.registry import get_rule, rules
from consult.exceptions import EmailNotVerified, NotAuthenticated, NotEligible
from tests import factories
from tests.eligibility_helpers import born_years_ago, make_census, page_with

pytestmark = pytest.mark.django_db


def test_the_seven_rules_are_registered_by_key():
    assert set(rules()) == {
        "verified_email",
        "group",
        "email_domain",
        "census",
        "identity_provider",
        "minimum_age",
        "voting_code",
    }


def test_without_rules_a_verified_account_takes_part_and_an_unverified_one_not(citizen, unverified):
    page = factories.make_consultation()
    assert services.refusal(citizen, page, "vote") is None
    assert isinstance(services.refusal(unverified, page, "vote"), EmailNotVerified)


def test_without_rules_and_without_required_verification_anyone_signed_in(unverified, settings):
    settings.CONSULT = {"REQUIRE_VERIFIED_EMAIL": False}
    assert services.refusal(unverified, factories.make_consultation(), "vote") is None


def test_anonymous_visitors_must_sign_in():
    from django.contrib.auth.models import AnonymousUser

    page = page_with(("verified_email", {}))
    assert isinstance(services.refusal(AnonymousUser(), page, "vote"), NotAuthenticated)
    document = services.document(AnonymousUser(), page)
    assert document["eligible"] is False
    assert document["actions"] == dict.fromkeys(("vote", "propose", "comment", "support"), False)
    assert document["unmet"][0]["rule"] == "sign_in"


def test_verified_email_rule(citizen, unverified):
    page = page_with(("verified_email", {}))
    assert services.refusal(citizen, page, "vote") is None
    refusal = services.refusal(unverified, page, "vote")
    assert isinstance(refusal, NotEligible)
    assert refusal.extra["rule"] == "verified_email"
    assert refusal.extra["action_url"]


def test_group_rule(citizen):
    page = page_with(("group", {"groups": ["Residents"]}))
    refusal = services.refusal(citizen, page, "vote")
    assert refusal.extra["rule"] == "group"
    citizen.groups.add(Group.objects.create(name="Residents"))
    assert services.refusal(citizen, page, "vote") is None


def test_email_domain_counts_confirmed_addresses_only():
    page = page_with(("email_domain", {"domains": ["city.example"]}))
    confirmed = factories.make_user(email="ana@city.example")
    unconfirmed = factories.make_user(email="ben@city.example", verified=False)
    elsewhere = factories.make_user(email="cleo@elsewhere.example")
    assert services.refusal(confirmed, page, "vote") is None
    assert services.refusal(unconfirmed, page, "vote").extra["rule"] == "email_domain"
    assert services.refusal(elsewhere, page, "vote").extra["rule"] == "email_domain"


def test_census_rule_needs_a_claim_and_points_to_the_claim_page(citizen):
    make_census(rows=[("X-1", "1990-01-02", "10115")])
    page = page_with(("census", {"census": "residents", "postcodes": []}))
    refusal = services.refusal(citizen, page, "vote")
    assert refusal.extra["rule"] == "census"
    assert refusal.extra["action_url"] == f"/consult/consultations/{page.pk}/eligibility/"
    census.claim(citizen, ["residents"], "x1", "02.01.1990")
    assert services.refusal(citizen, page, "vote") is None


def test_census_rule_with_postcodes_is_a_district(citizen):
    make_census(rows=[("X-1", "1990-01-02", "10 115")])
    census.claim(citizen, ["residents"], "X1", "1990-01-02")
    inside = page_with(("census", {"census": "residents", "postcodes": ["10115"]}))
    outside = page_with(("census", {"census": "residents", "postcodes": ["20095"]}))
    assert services.refusal(citizen, inside, "vote") is None
    assert services.refusal(citizen, outside, "vote").extra["rule"] == "census"


def test_minimum_age_from_the_census_birth_year(citizen):
    make_census(rows=[("OLD", born_years_ago(16), ""), ("YOUNG", born_years_ago(15), "")])
    page = page_with(("minimum_age", {"years": 16}))
    assert services.refusal(citizen, page, "vote").extra["rule"] == "minimum_age"
    census.claim(citizen, ["residents"], "old", born_years_ago(16))
    assert services.refusal(citizen, page, "vote") is None
    young = factories.make_user()
    census.claim(young, ["residents"], "young", born_years_ago(15))
    assert services.refusal(young, page, "vote").extra["rule"] == "minimum_age"


def test_identity_provider_rule_reads_claims_of_the_social_account(citizen):
    from allauth.socialaccount.models import SocialAccount

    page = page_with(
        ("identity_provider", {"provider": "eid", "claims": [{"claim": "acr", "value": "high"}]})
    )
    assert services.refusal(citizen, page, "vote").extra["rule"] == "identity_provider"
    account = SocialAccount.objects.create(
        user=citizen, provider="eid", uid="1", extra_data={"id_token": {"acr": "low"}}
    )
    assert services.refusal(citizen, page, "vote").extra["rule"] == "identity_provider"
    account.extra_data = {"id_token": {"acr": "high"}, "userinfo": {"birthdate": "2001-05-05"}}
    account.save()
    assert services.refusal(citizen, page, "vote") is None


def test_minimum_age_from_an_eid_birthdate(citizen):
    from allauth.socialaccount.models import SocialAccount

    page = page_with(("minimum_age", {"years": 18}))
    SocialAccount.objects.create(
        user=citizen, provider="eid", uid="2", extra_data={"birthdate": born_years_ago(30)}
    )
    assert services.refusal(citizen, page, "vote") is None


def test_rules_guard_only_their_actions(unverified, settings):
    settings.CONSULT = {"REQUIRE_VERIFIED_EMAIL": False}
    page = page_with(("verified_email", {"actions": ["vote"]}))
    assert services.refusal(unverified, page, "vote").extra["rule"] == "verified_email"
    assert services.refusal(unverified, page, "comment") is None
    document = services.document(unverified, page)
    assert document == {
        "eligible": False,
        "actions": {"vote": False, "propose": True, "comment": True, "support": True},
        "unmet": [document["unmet"][0]],
    }
    assert document["unmet"][0]["rule"] == "verified_email"


def test_a_rule_the_site_no_longer_has_refuses_everyone(citizen):
    page = page_with(("verified_email", {}))
    page.eligibility.raw_data[0]["type"] = "gone"
    assert services.refusal(citizen, page, "vote").extra["rule"] == "gone"


class AlwaysNo(EligibilityRule):
    key = "always_no"
    label = "Never"

    def unmet(self, check: Check, config):
        return Unmet(self.key, "no", None)

    def summary(self, config):
        return "nobody"


def test_extra_rules_come_from_the_setting(settings):
    settings.CONSULT = {"ELIGIBILITY_RULES": ["tests.eligibility.test_rules.AlwaysNo"]}
    assert get_rule("always_no").summary({}) == "nobody"


def test_summary_speaks_plainly():
    page = page_with(("minimum_age", {"years": 16, "actions": ["vote"]}), ("verified_email", {}))
    summary = services.summary(page)
    assert summary[0] == {
        "rule": "minimum_age",
        "text": "people aged 16 or more (in the year voting closes)",
        "actions": ["vote"],
    }
    assert summary[1]["actions"] == ["vote", "propose", "comment", "support"]
