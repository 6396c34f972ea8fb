"""The example site's production settings pass Django's deployment checks
and configure what several worker processes need to share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "site_example.settings.production",
    "SECRET_KEY": "x" * 60 + "-not-a-real-secret-but-long-and-varied-0123456789",
    "ALLOWED_HOSTS": "participate.example.org,beteiligung.example.org",
    "DATABASE_URL": "postgres://consult@db.internal:5432/consult",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **ENVIRONMENT, "PYTHONPATH": str(REPO)}
    environment.pop("CONSULT_BALLOT_KEY", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deployment_checks_pass():
    # Nothing connects to the database or Redis during the checks.
    checked = run("-m", "django", "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr


SHOW = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG,
    "pool": db.get("OPTIONS", {}).get("pool"),
    "conn_max_age": db["CONN_MAX_AGE"],
    "cache": s.CACHES["default"]["BACKEND"],
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "socket_timeout": s.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["socket_timeout"],
    "csrf": s.CSRF_TRUSTED_ORIGINS,
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "proxies": s.REST_FRAMEWORK["NUM_PROXIES"],
    "base_template": s.CONSULT["BASE_TEMPLATE"],
    "tasks": s.TASKS["default"]["BACKEND"],
}))
"""


@pytest.fixture(scope="module")
def production():
    shown = run("-c", SHOW)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_workers_share_database_pool_cache_and_channel_layer(production):
    assert production["debug"] is False
    # A pool rather than persistent connections: Django closes connections
    # after every request under ASGI.
    assert production["pool"] == {"min_size": 2, "max_size": 10}
    assert production["conn_max_age"] == 0
    assert production["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert production["layer"] == "channels_redis.core.RedisChannelLayer"
    assert production["socket_timeout"] > 5


def test_https_origins_and_proxy(production):
    assert production["csrf"] == [
        "https://participate.example.org",
        "https://beteiligung.example.org",
    ]
    assert production["cookies"] == [True, True]
    assert production["proxies"] == 1
    assert production["base_template"] == "base.html"


def test_background_tasks_queue_in_the_database(production):
    # Notification e-mails never go out inside a request: `db_worker` sends them.
    assert production["tasks"] == "django_tasks_db.DatabaseBackend"
