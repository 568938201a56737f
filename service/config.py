"""Configuration read from the environment by pydantic-settings (see `.env.example`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from limits import parse_many
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class InstructorMode(StrEnum):
    """How the model is asked for structured output."""

    tools = "tools"
    json_schema = "json_schema"
    json = "json"
    md_json = "md_json"


class EngineChoice(StrEnum):
    """Which engine answers when the client does not ask for one."""

    llm = "llm"
    rules = "rules"
    auto = "auto"


class Fallback(StrEnum):
    """What answers when the LLM path fails with 502/503/504."""

    rules = "rules"
    none = "none"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Every setting of the service; created in the factory, never at import time."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_file=None)

    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_env("OPENAI_BASE_URL"))
    model: str = Field(default="gpt-4o-mini", validation_alias=_env("READOUT_MODEL"))
    mode: InstructorMode = Field(
        default=InstructorMode.tools, validation_alias=_env("READOUT_MODE")
    )
    max_attempts: int = Field(default=3, ge=1, le=10, validation_alias=_env("READOUT_MAX_ATTEMPTS"))
    timeout_s: float = Field(default=60.0, gt=0, le=600, validation_alias=_env("READOUT_TIMEOUT_S"))
    max_chars: int = Field(default=100_000, ge=1, validation_alias=_env("READOUT_MAX_CHARS"))
    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, validation_alias=_env("READOUT_MAX_BODY_BYTES")
    )
    upstream_retries: int = Field(
        default=2, ge=0, le=10, validation_alias=_env("READOUT_UPSTREAM_RETRIES")
    )
    backoff_s: float = Field(default=0.5, gt=0, le=30, validation_alias=_env("READOUT_BACKOFF_S"))
    max_input_tokens: int = Field(
        default=100_000, ge=100, validation_alias=_env("READOUT_MAX_INPUT_TOKENS")
    )
    max_output_tokens: int = Field(
        default=4096, ge=256, validation_alias=_env("READOUT_MAX_OUTPUT_TOKENS")
    )
    chunk_tokens: int = Field(default=1000, ge=20, validation_alias=_env("READOUT_CHUNK_TOKENS"))
    chunk_concurrency: int = Field(
        default=16, ge=1, le=64, validation_alias=_env("READOUT_CHUNK_CONCURRENCY")
    )
    max_upstream_bytes: int | None = Field(
        default=None, ge=1024, validation_alias=_env("READOUT_MAX_UPSTREAM_BYTES")
    )
    body_timeout_s: float = Field(
        default=10.0, gt=0, le=600, validation_alias=_env("READOUT_BODY_TIMEOUT_S")
    )
    ready_probe_s: float = Field(
        default=30.0, ge=0.5, le=3600, validation_alias=_env("READOUT_READY_PROBE_S")
    )
    cpu_budget_s: float = Field(
        default=30.0, gt=0, le=600, validation_alias=_env("READOUT_CPU_BUDGET_S")
    )
    engine: EngineChoice = Field(default=EngineChoice.auto, validation_alias=_env("READOUT_ENGINE"))
    fallback: Fallback = Field(default=Fallback.none, validation_alias=_env("READOUT_FALLBACK"))
    max_concurrent_upstream: int = Field(
        default=256, ge=1, validation_alias=_env("READOUT_MAX_CONCURRENT_UPSTREAM")
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, validation_alias=_env("READOUT_API_KEYS")
    )
    api_keys_file: Path | None = Field(default=None, validation_alias=_env("READOUT_API_KEYS_FILE"))
    rate_limit: str | None = Field(default=None, validation_alias=_env("READOUT_RATE_LIMIT"))
    auth_failure_limit: str | None = Field(
        default="10/minute", validation_alias=_env("READOUT_AUTH_FAILURE_LIMIT")
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", validation_alias=_env("FORWARDED_ALLOW_IPS")
    )
    redis_url: str | None = Field(default=None, validation_alias=_env("READOUT_REDIS_URL"))
    # Set by the gunicorn master beside the URL of the Redis it embeds (service/store/redis.py).
    redis_embedded: bool = Field(default=False, validation_alias=_env("READOUT_REDIS_EMBEDDED"))
    # READOUT_LOG_LEVEL is read by gunicorn's config (service/http/gunicorn_conf.py), which sets
    # up logging before any app is built; no setting here would change it.
    job_max_articles: int = Field(
        default=1000, ge=1, le=100_000, validation_alias=_env("READOUT_JOB_MAX_ARTICLES")
    )
    job_max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, validation_alias=_env("READOUT_JOB_MAX_BODY_BYTES")
    )
    job_ttl_s: int = Field(default=86_400, ge=60, validation_alias=_env("READOUT_JOB_TTL_S"))
    worker_concurrency: int = Field(
        default=16, ge=1, le=1000, validation_alias=_env("READOUT_WORKER_CONCURRENCY")
    )
    webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("READOUT_WEBHOOK_SECRET")
    )
    webhook_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("READOUT_WEBHOOK_ALLOW")
    )
    webhook_attempts: int = Field(
        default=5, ge=1, le=20, validation_alias=_env("READOUT_WEBHOOK_ATTEMPTS")
    )
    webhook_backoff_s: float = Field(
        default=1.0, gt=0, le=600, validation_alias=_env("READOUT_WEBHOOK_BACKOFF_S")
    )
    # The result cache and idempotency records (service/store/).
    cache: bool = Field(default=True, validation_alias=_env("READOUT_CACHE"))
    cache_dir: Path | None = Field(default=None, validation_alias=_env("READOUT_CACHE_DIR"))
    cache_max_mb: int = Field(default=256, ge=1, validation_alias=_env("READOUT_CACHE_MAX_MB"))
    cache_ttl_s: int = Field(default=7 * 86400, ge=1, validation_alias=_env("READOUT_CACHE_TTL_S"))
    idempotency_ttl_s: int = Field(
        default=86400, ge=1, validation_alias=_env("READOUT_IDEMPOTENCY_TTL_S")
    )

    @field_validator("api_keys", "webhook_allow", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "openai_base_url", "redis_url", "rate_limit", "auth_failure_limit", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rate_limit", "auth_failure_limit")
    @classmethod
    def _rate_limit_syntax(cls, value: str | None) -> str | None:
        if value is not None:
            parse_many(value)  # ValueError: "10/minute", "100 per hour; 5/second"
        return value

    def upstream_byte_limit(self) -> int:
        """Largest upstream answer read: READOUT_MAX_UPSTREAM_BYTES, else from the output cap.

        32 bytes a token covers JSON-escaped non-Latin text; 256 KiB covers the envelope.
        """
        if self.max_upstream_bytes is not None:
            return self.max_upstream_bytes
        return self.max_output_tokens * 32 + 256 * 1024

    def llm_configured(self) -> bool:
        """Whether an LLM endpoint or key was given."""
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else ""
        return bool(key.strip()) or self.openai_base_url is not None

    def default_engine(self) -> str:
        """The engine `auto` stands for under this configuration."""
        if self.engine is EngineChoice.auto:
            return "llm" if self.llm_configured() else "rules"
        return self.engine.value

    def enabled_engines(self) -> frozenset[str]:
        """Engines a request may use: the default, plus rules under `auto` or as fallback."""
        enabled = {self.default_engine()}
        if self.engine is EngineChoice.auto or self.fallback is Fallback.rules:
            enabled.add("rules")
        return frozenset(enabled)
