"""Runtime configuration, read once from the environment (R25: no secrets in code or image)."""

import sys
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value production refuses

Environment = Literal["development", "test", "production"]
LogFormat = Literal["json", "console"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_name: str = "My Service"
    environment: Environment = "development"
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)

    log_level: str = "INFO"
    log_format: LogFormat = "json"

    database_url: str = "mysql+pymysql://app:app@127.0.0.1:3306/app"
    # Pools multiply by workers and replicas (R16): keep pool_size * workers * replicas
    # below the database's max_connections.
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    # The largest request body taken (413 above it), checked before the body is read or parsed.
    max_body_bytes: int = Field(default=1_048_576, ge=1)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets_in_production(self) -> Self:
        if self.environment == "production" and (
            self.secret_key.get_secret_value() in {"", PLACEHOLDER_SECRET}
        ):
            msg = "SECRET_KEY must be set to a real secret when ENVIRONMENT=production"
            raise ValueError(msg)
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_or_exit() -> Settings:
    """`get_settings()`, or exit non-zero with one line naming each invalid setting. Every command
    of the image calls it first (`serving/entrypoint.py`): a server would bury the reason in a
    traceback, or under gunicorn print only "Unable to configure handler"."""
    try:
        return get_settings()
    except ValidationError as exc:
        sys.exit(configuration_error(exc))


def configuration_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{name}: {message}" if name else message)
    return (
        f"configuration error: {'; '.join(problems)}. "
        "Fix it in the environment (or .env) and start again."
    )
