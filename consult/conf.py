"""The ``CONSULT`` settings dict, read lazily so ``override_settings`` works.

A host never has to set anything: every key has a default here. Keys a host
sets are merged over the defaults.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds between two websocket messages about the same question.
    "BROADCAST_INTERVAL": 0.25,
    # Seconds a broadcast (or a websocket's group subscription) may wait for
    # the channel layer before it is given up and logged; a ballot never
    # waits longer than this for it, and under ASGI not at all.
    "BROADCAST_TIMEOUT": 2.0,
    # Seconds between two checks, per worker process, that the live pages
    # it serves are not behind the database (a channel layer may drop a
    # message without an error); None: never.
    "LIVE_AUDIT_INTERVAL": 10.0,
    # Open websockets one client address may hold on one worker process;
    # None: no limit. The address is the one consult.clientaddr finds.
    "WS_MAX_CONNECTIONS_PER_IP": 100,
    # Seconds between two answers to a websocket's resync requests; sooner
    # ones are answered together when the interval is over. 0: no limit.
    "WS_RESYNC_INTERVAL": 2.0,
    # Reverse proxies in front of the workers that each append to
    # X-Forwarded-For. 0: the header is ignored (anyone can write it), the
    # client is the connection's address. Used by the write limits and the
    # websocket limit; allauth's ALLAUTH_TRUSTED_PROXY_COUNT must agree.
    "TRUSTED_PROXY_COUNT": 0,
    # Seconds a client is told to wait (Retry-After) when the database is
    # unavailable: the API answers 503 "unavailable", pages a 503 page.
    "UNAVAILABLE_RETRY_AFTER": 5,
    # Seconds without a frame from the client after which its websocket is
    # closed (code 4408); None: never.
    "WS_IDLE_TIMEOUT": 1800,
    # None: True when allauth's account app is installed, else False.
    "REQUIRE_VERIFIED_EMAIL": None,
    # DRF-style rates ("N/second|minute|hour|day") for write endpoints.
    "THROTTLE_RATES": {
        "ballot": "30/minute",
        "proposal": "10/hour",
        "comment": "30/hour",
        "support": "60/minute",
        "report": "20/hour",
        # Census claims per account and voting-code logins per address:
        # every attempt counts, so guessing stays slow.
        "census_claim": "10/hour",
        "code_login": "20/hour",
        # Follows, marking notifications read, changing preferences.
        "follow": "60/minute",
    },
    "COMMENT_MAX_LENGTH": 4000,
    "PROPOSAL_MAX_LENGTH": 10000,
    # Per-IP limits on top of the per-user THROTTLE_RATES (scope: rate), for
    # many accounts writing from one address. Scopes left out (ballot: a
    # polling station shares one address) have none. Merged over the defaults.
    "THROTTLE_IP_RATES": {
        "proposal": "30/hour",
        "comment": "120/hour",
        "support": "300/minute",
        "report": "60/hour",
        "census_claim": "30/hour",
    },
    # Seconds during which authors may edit their comment after posting it.
    "COMMENT_EDIT_WINDOW": 900,
    # Notify authors when a moderator decides on their proposal or comment,
    # or when their proposal gets an official answer.
    "NOTIFY_AUTHORS": True,
    # Actions after which a person follows what they acted on: "propose"
    # (the proposal and its consultation), "support" (the proposal),
    # "comment" (the consultation, and the proposal commented on). [] : none.
    "AUTO_FOLLOW": ["propose", "support", "comment"],
    # E-mail frequency of people who have not chosen one: "instant", "daily",
    # "weekly" or "off".
    "NOTIFY_DEFAULT_EMAIL": "instant",
    # Followers one background task handles (notifications created and
    # e-mails sent) before it hands the rest to the next task.
    "NOTIFY_BATCH_SIZE": 500,
    # Seconds before voting closes at which followers are told it closes soon.
    "NOTIFY_CLOSING_NOTICE": 24 * 60 * 60,
    # Seconds a phase event may be late (consult_notify not run meanwhile, a
    # consultation published with past dates) and still be announced.
    "NOTIFY_GRACE": 24 * 60 * 60,
    # Hour (0-23, in TIME_ZONE) from which daily and weekly digests go out,
    # and the weekday (0 = Monday) of the weekly one.
    "DIGEST_HOUR": 7,
    "DIGEST_WEEKDAY": 0,
    # Template the citizen-facing pages extend; needs blocks ``content``,
    # ``extra_css`` (inside <head>) and ``extra_js``, like a `wagtail start` site.
    "BASE_TEMPLATE": "base.html",
    # ISO 4217 code of the amounts of participatory budgets (costs, budget),
    # shown after the amount, which is formatted for the reader's language.
    "CURRENCY": "EUR",
    # Extra voting methods: dotted paths to VotingMethod subclasses.
    "VOTING_METHODS": [],
    # Key for the digest that lets a voter find their own ballot without the
    # database linking voter and ballot. None: derived from SECRET_KEY.
    "BALLOT_KEY": None,
    # Extra eligibility rules: dotted paths to EligibilityRule subclasses.
    "ELIGIBILITY_RULES": [],
    # Key of the census digests (HMAC-SHA256 of identifier and birth date).
    # Keep it out of the database and set it once: changing it (or
    # SECRET_KEY while this is None) makes every census unmatchable until it
    # is imported again.
    "CENSUS_KEY": None,
    # Characters of a generated voting code (without the dashes that group them).
    "VOTING_CODE_LENGTH": 12,
    # What happens to a deleted account's proposals and comments: "anonymise"
    # (kept, shown as by a deleted participant) or "delete" (removed).
    "ON_ACCOUNT_DELETE": "anonymise",
    # Days after a consultation's voting closes after which
    # ``consult_retention`` unlinks who took part from their accounts; None: never.
    "PARTICIPATION_RETENTION_DAYS": None,
    # Whether Wagtail admin users must set up multi-factor authentication
    # (allauth.mfa) before they reach the admin.
    "REQUIRE_STAFF_MFA": False,
    # Ed25519 private key signing results bundles (SPEC §11), base64 of its
    # 32 raw bytes as ``manage.py consult_signing_key`` prints it. None: no
    # bundles (results.zip answers 503 not_configured).
    "SIGNING_KEY": None,
    # META fields of the pabulib files in results bundles, over the ones
    # derived from the consultation (description, unit = the site's name,
    # instance, dates). pabulib's checker wants at least "country" (a country
    # name, e.g. "Germany"); "unit" is usually the city.
    "PABULIB_META": {},
    # Secret ballots with live results: the tally stays hidden (only turnout
    # is shown, pushed or served) until the question has this many ballots,
    # so the first voters' choices cannot be read off the running tally.
    "SECRET_LIVE_THRESHOLD": 10,
}


def get(name: str) -> Any:
    """Return the effective value of ``CONSULT[name]``."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown CONSULT setting: {name}")
    overrides = getattr(settings, "CONSULT", {}) or {}
    value = overrides.get(name, DEFAULTS[name])
    if name == "THROTTLE_RATES":
        return {**DEFAULTS["THROTTLE_RATES"], **(value or {})}
    if name == "REQUIRE_VERIFIED_EMAIL" and value is None:
        return allauth_installed()
    return value


def allauth_installed() -> bool:
    return apps.is_installed("allauth.account")
