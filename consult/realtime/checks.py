"""System checks for the channel layer live updates run on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

REDIS_BACKEND = "channels_redis.core.RedisChannelLayer"
#: channels-redis blocks this long (seconds) in each read of a channel.
REDIS_BLOCKING_READ = 5


@register()
def check_channel_layer(app_configs: Any, **kwargs: Any) -> list[Warning]:
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get("default", {})
    if layer.get("BACKEND") != REDIS_BACKEND:
        return []
    problems = []
    for host in layer.get("CONFIG", {}).get("hosts") or [{}]:
        timeout = host.get("socket_timeout") if isinstance(host, dict) else None
        if timeout is None or timeout <= REDIS_BLOCKING_READ:
            problems.append(
                Warning(
                    "The Redis channel layer's socket timeout is not longer than its "
                    f"{REDIS_BLOCKING_READ} s blocking read: idle readers time out and "
                    "live updates stall until they reconnect.",
                    hint='Give each host dict a "socket_timeout" (e.g. 30) and a '
                    '"max_connections" (e.g. 1000); see docs/how-to/scale-out.md.',
                    id="consult.W010",
                )
            )
    return problems
