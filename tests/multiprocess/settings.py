"""Settings of the ASGI worker processes that the multi-process tests start.

The test suite's settings, on the test run's own PostgreSQL database (its
name comes from the test, which knows pytest-django's ``test_`` name) and
on Redis under a prefix of the test's own.
"""

import os

from tests.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["CONSULT_WORKER_DATABASE_NAME"]  # noqa: F405
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": os.environ["CONSULT_TEST_REDIS_URL"],
                    "socket_timeout": 30,
                    "max_connections": 1000,
                }
            ],
            "prefix": os.environ["CONSULT_WORKER_REDIS_PREFIX"],
        },
    }
}
