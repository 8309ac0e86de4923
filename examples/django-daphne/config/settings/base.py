"""Settings every environment shares.

Values come from the environment through the project's one pydantic-settings `Settings`
(`my_service.settings`), which validates them; nothing secret lives in code (R25).
development.py, test.py and production.py start from here and change only what differs.
"""

from pathlib import Path

import django_stubs_ext

from my_service.database_url import database_config
from my_service.logs import configure_logging
from my_service.settings import get_settings

# Lets generic Django classes be subscripted at runtime (`admin.ModelAdmin[Item]`) for mypy.
django_stubs_ext.monkeypatch()

SETTINGS = get_settings()
BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = SETTINGS.secret_key.get_secret_value()
DEBUG = False
ALLOWED_HOSTS = SETTINGS.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "my_service.items",
]

MIDDLEWARE = [
    # First: every response carries a request id and is logged once.
    "my_service.middleware.RequestContextMiddleware",
    # Before host validation and the HTTPS redirect: probes come by IP over plain HTTP (R18).
    "my_service.health.HealthProbeMiddleware",
    # Errors in the service's JSON shape: 405, and 400/413/422 raised while a view reads input.
    "my_service.api.ErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The largest request body taken (MAX_BODY_BYTES): a larger declared length is answered 413
# before the body is read (api.ErrorMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = SETTINGS.max_body_bytes

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL is parsed in one place (my_service.database_url). Pool sizes are per worker
# process (R16): keep (DB_POOL_SIZE + DB_MAX_OVERFLOW) x workers x replicas below max_connections.
DATABASES = {
    "default": database_config(
        SETTINGS.database_url,
        pool_size=SETTINGS.db_pool_size,
        max_overflow=SETTINGS.db_max_overflow,
        timeout=SETTINGS.db_pool_timeout_seconds,
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files exist only for the admin site: collected at image build time and served by
# WhiteNoise with far-future cache headers, so no separate web server is needed.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

ADMIN_ENABLED = SETTINGS.admin_enabled

# Name -> dotted path of a callable that raises while its dependency is down (/health/ready).
READINESS_TIMEOUT_SECONDS = SETTINGS.readiness_timeout_seconds
READINESS_CHECKS: dict[str, str] = {
    "database": "my_service.health.check_database",
}

# structlog renders Django's and the servers' records too; Django's own dictConfig is skipped.
LOGGING_CONFIG = None
configure_logging(SETTINGS.log_level, SETTINGS.log_format)
