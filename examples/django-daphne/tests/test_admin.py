import importlib

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

import config.urls


def _reload_urls() -> None:
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_admin_is_mounted_only_when_enabled(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 404
    try:
        with override_settings(ADMIN_ENABLED=True):
            _reload_urls()
            assert client.get("/admin/login/").status_code == 200
    finally:
        _reload_urls()
    assert client.get("/admin/login/").status_code == 404
