"""Write limits, applied by the services to every entry point.

The ballot and contribution services call ``hit(scope, actor)`` before they
write, so the API, the page forms and code calling in count in the same
cache buckets: a citizen cannot double their allowance by switching between
the page and the API. A refusal is ``Throttled`` (429 with ``Retry-After``
in the API, a message next to the form on the pages).

Buckets, each a sliding window like DRF's ``SimpleRateThrottle``:

* per user (per IP address when anonymous) at ``CONSULT["THROTTLE_RATES"][scope]``;
* for signed-in users also per IP address at ``CONSULT["THROTTLE_IP_RATES"][scope]``
  when that scope has one, so many accounts on one address are held back too.

A refused attempt is not counted. The counters live in Django's default
cache: with several processes use a shared one (Redis, Memcached).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from consult import conf
from consult.actor import Actor, as_actor
from consult.exceptions import Throttled

CACHE_FORMAT = "consult:throttle:%(scope)s:%(ident)s"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int
    duration: int


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/minute"`` -> ``(30, 60)`` (periods: second, minute, hour, day)."""
    number, period = rate.split("/")
    return int(number), _PERIODS[period.strip()[0]]


def ip_rates() -> dict[str, str | None]:
    return {**conf.DEFAULTS["THROTTLE_IP_RATES"], **(conf.get("THROTTLE_IP_RATES") or {})}


def buckets(scope: str, actor: Actor) -> list[Bucket]:
    result = []
    rate = conf.get("THROTTLE_RATES").get(scope)
    if rate and (actor.signed_in or actor.address):
        ident = f"user-{actor.user.pk}" if actor.signed_in else f"ip-{actor.address}"
        result.append(Bucket(CACHE_FORMAT % {"scope": scope, "ident": ident}, *parse_rate(rate)))
    ip_rate = ip_rates().get(scope)
    if actor.signed_in and actor.address and ip_rate:
        key = CACHE_FORMAT % {"scope": f"{scope}-ip", "ident": f"ip-{actor.address}"}
        result.append(Bucket(key, *parse_rate(ip_rate)))
    return result


def hit(scope: str, who) -> None:
    """Count one write of ``scope`` by ``who`` (an Actor, a request or a
    user), or raise ``Throttled``."""
    wait = check_rate(scope, who)
    if wait is not None:
        raise Throttled(wait)


def check_rate(scope: str, who) -> float | None:
    """Count one write of ``scope`` by ``who`` (an Actor, a request or a user).

    Returns None when it is allowed (and counted), else the seconds to wait
    before the next one would be (nothing is counted then).
    """
    found = buckets(scope, as_actor(who))
    if not found:
        return None
    now = time.time()
    stored = cache.get_many([bucket.key for bucket in found])
    histories = {
        bucket.key: [t for t in stored.get(bucket.key, []) if t > now - bucket.duration]
        for bucket in found
    }
    waits = [
        bucket.duration - (now - min(histories[bucket.key]))
        for bucket in found
        if len(histories[bucket.key]) >= bucket.limit
    ]
    if waits:
        return max(max(waits), 1.0)
    for bucket in found:
        cache.set(bucket.key, [now, *histories[bucket.key]], bucket.duration)
    return None
