import pytest
from pydantic import ValidationError

from my_service.settings import PLACEHOLDER_SECRET, Settings


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(environment="production", secret_key=PLACEHOLDER_SECRET)


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(environment="production", secret_key="s3cr3t-" * 6)
    assert settings.environment == "production"


def test_environment_variables_configure_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("THREAD_POOL_SIZE", "8")
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert settings.thread_pool_size == 8
