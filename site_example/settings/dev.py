from .base import *

DEBUG = True
SECRET_KEY = "example-site-development-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The development database is disposable: SQLite without a disk sync per
# transaction migrates a fresh database several times faster (make demo).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;"
    )
