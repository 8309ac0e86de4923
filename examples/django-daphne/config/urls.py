"""Every URL of the service, assembled in one place. `/health` and `/health/ready` are answered
by `HealthProbeMiddleware` before routing (see `my_service.health`); the JSON API and
its OpenAPI document (`/openapi.json`) are Django Ninja's `api` (`my_service.api`)."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, path

from my_service.api import api

handler400 = "my_service.api.bad_request"
handler404 = "my_service.api.page_not_found"
handler500 = "my_service.api.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.urls),
]

# The admin site is mounted only when ADMIN_ENABLED is true; its apps are always installed, so
# turning it on needs no new migration.
if settings.ADMIN_ENABLED:
    urlpatterns.append(path("admin/", admin.site.urls))
