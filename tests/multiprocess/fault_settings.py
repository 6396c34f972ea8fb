"""Settings of the worker processes in the fault-injection tests: a
PostgreSQL cluster and a Redis of the test's own (so that they can be
stopped), configured for outages as the example site's production settings
are (pool and connect timeouts, fail-safe cache, channels-redis)."""

import os

from tests.settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": os.environ["CONSULT_FAULT_PG_PORT"],
        "NAME": "consult",
        "USER": "postgres",
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": 2,
            "pool": {
                "min_size": 2,
                "max_size": 8,
                "timeout": 3.0,
                "reconnect_timeout": 2.0,
            },
        },
    }
}
REDIS = f"redis://127.0.0.1:{os.environ['CONSULT_FAULT_REDIS_PORT']}"
CACHES = {
    "default": {
        "BACKEND": "consult.cache.FailSafeRedisCache",
        "LOCATION": f"{REDIS}/1",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_AFTER": 1},
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": f"{REDIS}/0",
                    "socket_timeout": 30,
                    "socket_connect_timeout": 1,
                    "max_connections": 1000,
                }
            ],
        },
    }
}
CONSULT = {
    "BROADCAST_TIMEOUT": 1,
    # Viewers catch up within a second of Redis's return.
    "LIVE_AUDIT_INTERVAL": 1.0,
    "THROTTLE_RATES": {"ballot": "1000/minute"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"consult": {"handlers": ["console"], "level": "WARNING"}},
}
