import pytest
from pydantic import ValidationError

from my_service.settings import (
    PLACEHOLDER_SECRET,
    Settings,
    get_settings,
    settings_or_exit,
)


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(environment="production", secret_key=PLACEHOLDER_SECRET)


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(environment="production", secret_key="s3cr3t-" * 6)
    assert settings.environment == "production"


def test_environment_variables_configure_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("MAX_BODY_BYTES", "4096")
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 4096


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ENVIRONMENT": "production", "SECRET_KEY": PLACEHOLDER_SECRET}, "SECRET_KEY"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_an_invalid_setting_stops_the_start_with_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            settings_or_exit()
    finally:
        get_settings.cache_clear()
    line = str(stopped.value.code)
    assert named in line
    assert "\n" not in line
    assert line.startswith("configuration error: ")
