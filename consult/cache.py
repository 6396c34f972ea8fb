"""A Redis cache whose outage degrades instead of failing the request.

Django's own ``RedisCache`` raises when Redis is unreachable, and Wagtail
reads the default cache on every page (its site root paths): one Redis
restart then fails every page. ``FailSafeRedisCache`` answers as if the
cache were empty (a miss; writes dropped) while Redis is down, logs the
outage once, and does not try Redis again for ``RETRY_AFTER`` seconds
(an option, default 2), so that requests do not each wait for a connect
timeout. The write limits (``consult.api.throttling``) notice the outage
through ``outage`` and count in the worker's memory meanwhile.

    CACHES = {"default": {
        "BACKEND": "consult.cache.FailSafeRedisCache",
        "LOCATION": "redis://...",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import RedisError

from consult.outages import Outage, shared

FAILURES = (RedisError, OSError)


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._options = dict(self._options)
        retry_after = float(self._options.pop("RETRY_AFTER", 2.0))
        self.outage = shared(f"the cache {self._servers[0]}", retry_after)

    @cached_property
    def _cache(self) -> FailSafeClient:
        return FailSafeClient(self.outage, self._servers, **self._options)


class FailSafeClient(RedisCacheClient):
    """Each operation answers as on an empty cache while Redis is down."""

    def __init__(self, outage: Outage, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outage = outage

    def _guard(self, default: Any, operation: Any, *args: Any) -> Any:
        if self.outage.down():
            return default
        try:
            result = operation(*args)
        except FAILURES as error:
            self.outage.failed(error)
            return default
        self.outage.succeeded()
        return result

    def add(self, key, value, timeout):
        return self._guard(False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._guard(default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._guard(None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._guard(False, super().touch, key, timeout)

    def delete(self, key):
        return self._guard(False, super().delete, key)

    def get_many(self, keys):
        return self._guard({}, super().get_many, keys)

    def has_key(self, key):
        return self._guard(False, super().has_key, key)

    def incr(self, key, delta):
        result = self._guard(None, super().incr, key, delta)
        if result is None:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout):
        return self._guard(None, super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._guard(None, super().delete_many, keys)

    def clear(self):
        return self._guard(False, super().clear)
