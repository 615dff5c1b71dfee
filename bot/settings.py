"""Settings from the environment and ``.env`` (pydantic-settings), built once in ``main()``."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.ingest.guard import ParseLimits

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


class MissingTokenError(RuntimeError):
    """Raised where a command needs to talk to Telegram and no token is configured."""


class TokenRejectedError(RuntimeError):
    """Telegram does not accept the token (wrong, revoked): the bot cannot start."""


class PortInUseError(RuntimeError):
    """A port from the settings cannot be listened on; the message names the setting."""


def port_in_use(setting: str, host: str, port: int, error: OSError) -> PortInUseError:
    return PortInUseError(
        f"{setting}: не удалось слушать {host}:{port} ({error.strerror or error}) — порт занят"
        " другой программой или адрес недоступен; выберите другой"
    )


def example_token() -> str | None:
    """The placeholder BOT_TOKEN of ``.env.example``: a copy left unedited is no token."""
    from bot.paths import PROJECT_DIR

    try:
        lines = (PROJECT_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition("=")
        if name.strip() == "BOT_TOKEN" and value.strip():
            return value.strip()
    return None


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
    # Hostile files: limits checked before parsing, and of the process that parses (issue 13).
    docx_max_unpacked_mb: float = Field(default=50.0, gt=0)
    docx_max_main_part_mb: float = Field(default=20.0, gt=0)
    docx_max_parts: int = Field(default=500, ge=1)
    document_max_paragraphs: int = Field(default=20_000, ge=1)
    pdf_max_pages: int = Field(default=300, ge=1)
    parse_memory_mb: int = Field(default=1024, ge=128)
    parse_timeout_seconds: float = Field(default=120.0, gt=0)

    # One instance per database, start-up and operations (issue 13).
    start_retry_max_seconds: float = Field(default=60.0, gt=0)  # longest pause between tries
    backup_dir: str = "data/backups"
    backup_keep: int = Field(default=7, ge=1)
    backup_hour_utc: int = Field(default=2, ge=0, le=23)
    backup_enabled: bool = True
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)  # 0 = no /healthz and /metrics
    health_stale_seconds: float = Field(default=120.0, gt=0)

    # The public page, the officials' web form and the calendar feeds (issue 14 §3–4), served
    # by the bot's own process; off by default.  PUBLIC_URL is the address people open
    # (a reverse proxy in front of WEB_HOST:WEB_PORT), used in the links the bot sends.
    web_enabled: bool = False
    public_url: str = ""
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8090, ge=1, le=65535)
    web_link_days: int = Field(default=30, ge=1, le=365)  # how long an official's link works
    web_upload_dir: str = "data/uploads"  # files officials attach in the web form

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
        token = value.get_secret_value().strip()
        if not token:
            return None  # BOT_TOKEN= with nothing after it: "not set", said by token()
        # The messages never repeat the token itself.
        if token and token == example_token():
            raise ValueError(
                "в .env осталась заготовка из .env.example — впишите токен от @BotFather"
            )
        if not TOKEN_PATTERN.match(token):
            raise ValueError(
                "токен должен выглядеть как <цифры>:<буквы> — так его выдаёт @BotFather"
            )
        return SecretStr(token)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in re.split(r"[,\s]+", value.strip()) if part]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("Telegram id — это числа через запятую, например 12345678")
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"неизвестный часовой пояс {value!r}, пример: Europe/Moscow") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("допустимо DEBUG, INFO, WARNING, ERROR или CRITICAL")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://", value):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return "/" + value.strip().strip("/")

    @field_validator("privacy_policy_url")
    @classmethod
    def _policy_url(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://[^\s\"'<>]+$", value):
            raise ValueError("PRIVACY_POLICY_URL must be an http:// or https:// address")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://[^\s\"'<>?#]+$", value):
            raise ValueError("адрес должен начинаться с http:// или https://")
        return value

    @model_validator(mode="after")
    def _web_needs_address(self) -> Settings:
        # The links the bot sends (the page, an official's form, a calendar) start with it.
        if self.web_enabled and not self.public_url:
            raise ValueError("PUBLIC_URL: обязателен, когда WEB_ENABLED=true")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # Without the secret anyone who learns the URL could post updates as any user.
        if self.webhook_url and not self.webhook_secret.get_secret_value():
            raise ValueError("WEBHOOK_SECRET: обязателен, когда задан WEBHOOK_URL")
        return self

    def token(self) -> str:
        if self.bot_token is None:
            raise MissingTokenError(
                "BOT_TOKEN не задан: возьмите токен у @BotFather и впишите его в .env"
                " (cp .env.example .env) или в окружение"
            )
        return self.bot_token.get_secret_value()

    def webhook_full_url(self) -> str:
        """The address registered with Telegram: WEBHOOK_URL, plus WEBHOOK_PATH unless the URL
        already ends with it (both ways of writing it are accepted)."""
        url = self.webhook_url.strip().rstrip("/")
        path = "/" + self.webhook_path.strip("/")
        return url if url.endswith(path) else url + path

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    def parse_limits(self) -> ParseLimits:
        mb = 1024 * 1024
        return ParseLimits(
            max_unpacked_bytes=int(self.docx_max_unpacked_mb * mb),
            max_main_part_bytes=int(self.docx_max_main_part_mb * mb),
            max_parts=self.docx_max_parts,
            max_paragraphs=self.document_max_paragraphs,
            max_pdf_pages=self.pdf_max_pages,
            memory_bytes=self.parse_memory_mb * mb,
            timeout_seconds=self.parse_timeout_seconds,
        )

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids


# Pydantic's own checks, said in Russian (ours raise Russian messages themselves).
_MESSAGES = {
    "missing": "не задано",
    "int_parsing": "нужно целое число",
    "int_from_float": "нужно целое число",
    "float_parsing": "нужно число",
    "bool_parsing": "нужно true или false",
    "greater_than_equal": "должно быть не меньше {ge}",
    "greater_than": "должно быть больше {gt}",
    "less_than_equal": "должно быть не больше {le}",
    "less_than": "должно быть меньше {lt}",
    "url_parsing": "нужен адрес вида https://…",
}


def describe_error(exc: Exception) -> str:
    """One Russian line for a person: which setting is wrong and why, never a secret value."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    parts = []
    for error in errors():
        name = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int)).upper()
        kind = error.get("type", "")
        if kind == "value_error":
            message = str(error.get("ctx", {}).get("error", "")) or error.get("msg", "")
        else:
            message = _MESSAGES.get(kind, "недопустимое значение").format(**error.get("ctx", {}))
        # A model-wide check names its own setting ("WEBHOOK_SECRET: …").
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts)
