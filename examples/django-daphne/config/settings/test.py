"""The project's tests (pytest-django): a throwaway SQLite file unless DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

from my_service.database_url import database_config

from .base import *  # noqa: F403

# The real database when DATABASE_URL is set (CI); pytest-django creates and drops `test_<name>`.
if "DATABASE_URL" not in os.environ:
    DATABASES = {"default": database_config("sqlite:///:memory:")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A throwaway file rather than shared memory: readiness checks open and close connections
    # on threads of their own, which an in-memory database cannot survive.
    test_db = Path(tempfile.gettempdir()) / f"my_service-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(test_db)}

# No collected files in tests: plain storage, and WhiteNoise looks files up on demand.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
