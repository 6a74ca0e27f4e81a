"""One typed settings object, read from SLAWATCH_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from slawatch.agreements.limits import Limits

DEMO_SECRET: Final = "slawatch-demo-secret-do-not-use-in-production"


class SettingsError(ValueError):
    """A setting that cannot be used as given; the message names the variable and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLAWATCH_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///slawatch.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    secret_key: str = Field(
        default=DEMO_SECRET, description="Signs session cookies and CSRF tokens; 32+ characters"
    )
    demo: bool = Field(default=False, description="Demo mode: allows the built-in secret")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL for links")
    evaluation_interval: float = Field(
        default=60.0, gt=0, description="Seconds between scheduled re-evaluations"
    )
    evaluation_delay: float = Field(
        default=1.0, ge=0, description="Seconds to wait after ingestion before re-evaluating"
    )
    background: bool = Field(default=True, description="Run background evaluation in serve")
    max_batch: int = Field(default=10_000, gt=0, description="Most events in one POST /events")
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, gt=0, description="Largest request body accepted, in bytes"
    )
    max_attributes_per_event: int = Field(
        default=100, gt=0, description="Most attribute names one event or file row may carry"
    )
    max_attribute_name: int = Field(
        default=100, gt=0, le=1_000, description="Longest attribute name, in characters"
    )
    max_attribute_value: int = Field(
        default=1_000, gt=0, le=100_000, description="Longest attribute value, in characters"
    )
    max_import_columns: int = Field(
        default=1_000, gt=0, description="Most columns an event file or import may have"
    )
    session_max_age: int = Field(default=14 * 86_400, gt=0, description="Session lifetime, s")
    alert_tick: float = Field(
        default=15.0, gt=0, description="Seconds between escalation and notification rounds"
    )
    digest_minutes: int = Field(
        default=30,
        ge=1,
        le=1440,
        description="Minutes between a recipient's digests of non-urgent alerts",
    )
    alert_lookback_days: int = Field(
        default=7, ge=0, description="Only subjects that turned bad this recently open escalations"
    )
    max_agreement_bytes: int = Field(
        default=Limits.max_bytes,
        gt=0,
        description="Largest agreement YAML accepted, in bytes; also the most text its "
        "aliases may expand to",
    )
    max_agreement_depth: int = Field(
        default=Limits.max_depth, ge=8, description="Deepest nesting in agreement YAML"
    )
    max_agreement_nodes: int = Field(
        default=Limits.max_nodes,
        gt=0,
        description="Most values in agreement YAML, each alias counted as what it expands to",
    )
    smtp_url: str = Field(
        default="",
        description="apprise mail URL for contacts without a route, e.g. "
        "mailto://user:pass@smtp.example.com:587?from=slawatch@example.com; empty: no mail",
    )

    def agreement_limits(self) -> Limits:
        """The limits agreement YAML is read within, for the core that never reads settings."""
        return Limits(
            max_bytes=self.max_agreement_bytes,
            max_depth=self.max_agreement_depth,
            max_nodes=self.max_agreement_nodes,
        )

    def check_secret(self) -> None:
        """Refuse the built-in secret (or a short one) outside demo mode."""
        if self.demo:
            return
        if self.secret_key == DEMO_SECRET:
            raise SettingsError(
                "SLAWATCH_SECRET_KEY is the built-in demo secret; set it to a random value, e.g. "
                "`export SLAWATCH_SECRET_KEY=$(openssl rand -base64 32)`"
            )
        if len(self.secret_key) < 32:
            raise SettingsError(
                "SLAWATCH_SECRET_KEY is shorter than 32 characters; use a longer one"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
