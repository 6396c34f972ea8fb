"""Minimal settings for the test suite.

SQLite and the in-memory channel layer by default; with
CONSULT_TEST_DATABASE_URL / CONSULT_TEST_REDIS_URL set the same suite runs on
PostgreSQL and channels-redis, and the tests marked for them stop skipping.
"""

import os
from pathlib import Path

import dj_database_url

REPO_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "consult-tests"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "consult",
    # A database task queue, for the tests that check nothing is sent before
    # a worker runs; the default backend below is the immediate one.
    "django_tasks_db",
    "rest_framework",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
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
    "consult.middleware.UnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "consult.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "tests.urls"
ASGI_APPLICATION = "tests.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_DIR / "site_example" / "templates", REPO_DIR / "tests" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.context_processors.layout",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("CONSULT_TEST_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
ACCOUNT_RATE_LIMITS = False
LOGIN_URL = "account_login"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The suite's consultations are secret with live results (the defaults) and
# most tests read a tally after a ballot or two; the threshold that hides such
# tallies (SECRET_LIVE_THRESHOLD) has its own tests.
# A fixed key signs the results bundles (a test key, published here: never a
# site's own).
CONSULT = {
    "SECRET_LIVE_THRESHOLD": 0,
    "SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "PABULIB_META": {"country": "Germany"},
}

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
LOCALE_PATHS = [REPO_DIR / "locale", REPO_DIR / "site_example" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
STATIC_ROOT = REPO_DIR / "var" / "test-static"
WAGTAIL_SITE_NAME = "Test City"
WAGTAILADMIN_BASE_URL = "http://testserver"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATICFILES_DIRS = [REPO_DIR / "site_example" / "static"]
# Background tasks run on the spot in tests (and under ``make demo``).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
