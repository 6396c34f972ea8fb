"""Production settings: everything secret or site-specific comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS (comma-separated), DATABASE_URL
(PostgreSQL), REDIS_URL. Optional: CONSULT_BALLOT_KEY, NUM_PROXIES,
DATABASE_POOL_SIZE, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL. ``manage.py check --deploy`` passes
with them set (``tests/test_production_settings.py``).
"""

import os

from .base import *

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
# Websocket origins are checked against ALLOWED_HOSTS, form posts against these.
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

# TLS ends at the reverse proxy, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# HSTS preloading binds every subdomain of the city's domain for good: the
# city's own decision (SECURE_HSTS_PRELOAD), not this site's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")

# Rate limits and the write throttles count in the cache: every worker
# process must see the same counters.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "site",
    }
}
# The proxies in front of the workers, so that X-Forwarded-For names the
# citizen's address for per-address limits (and cannot be forged past them).
REST_FRAMEWORK = {"NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "1"))}
# allauth's login rate limits identify clients by the same trusted proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"]

# Notification e-mails go out from a queue in the database, worked off by
# `python manage.py db_worker` (one or more processes beside the ASGI
# workers); `consult_notify` runs from cron or a systemd timer every minute.
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CONSULT = {
    **CONSULT,
    # Kept out of the database and apart from SECRET_KEY, so that rotating
    # SECRET_KEY does not lock voters out of their ballots.
    "BALLOT_KEY": os.environ.get("CONSULT_BALLOT_KEY"),
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_PORT == 587
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"participation@{ALLOWED_HOSTS[0]}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # consult logs channel-layer outages and refused sockets here.
    "loggers": {"consult": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
