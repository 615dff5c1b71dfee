"""Settings from the environment and ``.env`` (pydantic-settings), built once in ``main()``."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


class MissingTokenError(RuntimeError):
    """Raised where a command needs to talk to Telegram and no token is configured."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = ""
    database_path: str = "data/bot.sqlite3"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_timezone: str = "Europe/Moscow"
    log_level: str = "INFO"

    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/telegram/webhook"

    scheduler_enabled: bool = True
    digest_interval_seconds: int = Field(default=60, ge=1)
    nudge_interval_seconds: int = Field(default=300, ge=1)

    # Personal data (152-ФЗ): where the full policy is published (else /policy sends it),
    # how long delivered messages and abandoned drafts and dialogs are kept.
    privacy_policy_url: str = ""
    outbox_retention_days: int = Field(default=30, ge=1)
    draft_retention_days: int = Field(default=7, ge=1)
    retention_interval_seconds: int = Field(default=3600, ge=1)

    import_seeds_on_empty: bool = True
    max_document_mb: float = 10.0

    # Delivery of everything the bot sends on its own (announcements, digests, nudges).
    broadcast_rate: float = Field(default=25.0, ge=0)  # messages/s in all; 0 = no limit
    delivery_chat_interval: float = Field(default=1.0, ge=0)  # seconds between two to one chat
    delivery_concurrency: int = Field(default=32, ge=1, le=100)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_backoff_seconds: float = Field(default=5.0, gt=0)  # first retry; doubles after
    announce_progress_seconds: float = Field(default=3.0, gt=0)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            # The message never repeats the token itself.
            raise ValueError("BOT_TOKEN must look like <digits>:<letters> as given by @BotFather")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value):
        if isinstance(value, str):
            return [int(part) for part in re.split(r"[,\s]+", value.strip()) if part]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://", value):
            raise ValueError("TELEGRAM_API_URL must start with http:// or https://")
        return value

    @field_validator("privacy_policy_url")
    @classmethod
    def _policy_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://[^\s\"'<>]+$", value):
            raise ValueError("PRIVACY_POLICY_URL must be an http:// or https:// address")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # Without the secret anyone who learns the URL could post updates as any user.
        if self.webhook_url and not self.webhook_secret.get_secret_value():
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    def token(self) -> str:
        if self.bot_token is None:
            raise MissingTokenError("BOT_TOKEN is not set (put it in the environment or .env)")
        return self.bot_token.get_secret_value()

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids


def describe_error(exc: Exception) -> str:
    """One line for a person: which setting is wrong and why, never the secret value."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    parts = []
    for error in errors():
        name = ".".join(str(p) for p in error.get("loc", ())).upper() or "settings"
        message = "is missing" if error.get("type") == "missing" else error.get("msg", "")
        parts.append(f"{name}: {message}")
    return "; ".join(parts)
