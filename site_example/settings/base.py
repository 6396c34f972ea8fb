"""Settings shared by every environment of the example site."""

import os
from pathlib import Path

import dj_database_url

SITE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SITE_DIR.parent

INSTALLED_APPS = [
    "site_example.home",
    "consult",
    "rest_framework",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A lost or locked database answers 503 with Retry-After, not a 500 page.
    "consult.middleware.UnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "consult.middleware.StaffMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "site_example.urls"
ASGI_APPLICATION = "site_example.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{REPO_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}
# Under ASGI Django closes its connection after every request (Django advises
# against persistent connections there). A pool keeps a few open per worker
# process, so a request does not pay for a new PostgreSQL backend: connecting,
# authenticating and warming its catalog caches cost more than a ballot's SQL.
#
# Outages: a request waits at most DATABASE_POOL_TIMEOUT seconds for a
# connection and then answers 503 (consult.middleware, the API's handler);
# connecting gives up after DATABASE_CONNECT_TIMEOUT. A connection is checked
# before it is handed out (CONN_HEALTH_CHECKS: Django then passes psycopg's
# check_connection to the pool), so one broken by a database restart is
# replaced instead of failing a request. The pool stops retrying a lost connection
# after 2 s (psycopg's default keeps backing off for 5 min, up to 16 s between
# attempts): the next request then connects at once, so service resumes
# within about a second of the database's return.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2")),
        "pool": {
            "min_size": 2,
            "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
            "reconnect_timeout": 2.0,
        },
    }
# SQLite as an embedded database for a small site: write-ahead logging lets
# pages read while a ballot is written; IMMEDIATE transactions take the write
# lock when they begin, so concurrent ballots wait their turn (up to the busy
# timeout, in seconds) instead of failing with "database is locked".
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }

# With REDIS_URL set, every ASGI worker process shares one channel layer, so
# a ballot cast through one worker reaches sockets held by the others.
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults would drop idle consumers (its 5 s socket
                # timeout equals the layer's blocking read) and cap the pool
                # at 100 connections.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 1000}],
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Signed in by the confirmation link when opened in the browser that signed
# up, and sent on to the page the citizen came from (the "next" of sign-up).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# Staff sign in through allauth, which asks for their second factor.
WAGTAILADMIN_LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
# A city's eID: see docs/how-to/eid.md; no provider is configured here.
SOCIALACCOUNT_PROVIDERS: dict = {}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [REPO_DIR / "locale", SITE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = REPO_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = REPO_DIR / "var" / "media"

WAGTAIL_SITE_NAME = "Example City"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (notification e-mails) run on the spot in development and
# under `make demo`; production hands them to a worker (production.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CONSULT = {
    "BASE_TEMPLATE": "base.html",
    # Wagtail admin users must set up TOTP or a passkey before using the admin.
    "REQUIRE_STAFF_MFA": True,
}
