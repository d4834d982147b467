"""Typed server settings: config/server.toml, overridden by SERVER_* environment variables."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_FILE = REPO_ROOT / "config" / "server.toml"

# Values people copy from examples and forget to change.
_PLACEHOLDER_SECRETS = {"", "changethis", "changeme", "secret", "password", "xxx"}


class TicketServiceSetting(BaseModel):
    """One counter service a queue ticket can be issued for (its own prefix and daily numbering)."""

    id: str
    prefix: str
    name_ja: str
    name_en: str


class CounterSetting(BaseModel):
    """One staffed counter window that calls tickets."""

    id: str
    name_ja: str
    name_en: str


DEFAULT_TICKET_SERVICES = [
    TicketServiceSetting(id="registration", prefix="R", name_ja="利用者カードの登録・更新",
                         name_en="Library card registration / renewal"),
    TicketServiceSetting(id="mynumber", prefix="M", name_ja="マイナンバーカードの連携", name_en="My Number card link"),
    TicketServiceSetting(id="other", prefix="S", name_ja="その他のお問い合わせ", name_en="Other enquiries"),
]
DEFAULT_COUNTERS = [
    CounterSetting(id=str(n), name_ja=f"{n}番窓口", name_en=f"Counter {n}") for n in (1, 2, 3)
]


class Settings(BaseSettings):
    """Everything the server process reads at start-up."""

    model_config = SettingsConfigDict(env_prefix="SERVER_", extra="ignore")

    # "production" (an installed server: deploy/server sets it) or "development" (make run, the tests).
    # Production refuses to start without what a library must configure itself (public_base_url).
    mode: Literal["production", "development"] = "development"
    host: str = "127.0.0.1"
    port: int = 8700
    # Serve on an inherited, already listening socket instead of host/port (supervisors and
    # tests pass one so no other process can take the port between choosing and binding it).
    listen_fd: int | None = None
    database_url: str = "sqlite:///var/server.db"
    auth_window_seconds: int = 120
    max_body_bytes: int = 65536
    migration_policy: Literal["kiosk", "staff"] = "kiosk"
    challenge_ttl_seconds: int = 120
    jlis_root_paths: list[str] = []
    crl_paths: list[str] = []  # CRL files, or http(s) URLs fetched on use (refreshed hourly)
    use_test_pki: bool = False
    test_pki_dir: str | None = None
    mykey_connector: Literal["simulator"] = "simulator"
    mykey_database_url: str | None = None
    demo: bool = False
    demo_kiosk_id: str = "kiosk-demo-01"
    demo_kiosk_secret: SecretStr | None = None
    demo_staff_id: str = "demo-admin"
    demo_staff_pin: SecretStr | None = None
    # The demo staff account's maintenance PIN at the demo kiosk (what that kiosk caches; never a staff PIN).
    demo_maintenance_pin: SecretStr | None = None
    staff_session_minutes: int = 480
    # Staff sign-in: wrong PINs allowed within the window per staff id and per client address, then that
    # staff id / address is refused for staff_lockout_minutes (server/auth/staff_lockout.py).
    staff_login_window_minutes: int = Field(default=15, ge=1)
    staff_login_max_failures_per_account: int = Field(default=5, ge=1)
    staff_login_max_failures_per_client: int = Field(default=20, ge=1)
    staff_lockout_minutes: int = Field(default=15, ge=1)
    # Fleet page: a kiosk is stale after this many of its own heartbeat intervals without one.
    fleet_stale_intervals: int = 3
    # Statistics page (/stats): counts from 1 to this minus one are not shown (they could single out a person).
    stats_min_cell: int = Field(default=3, ge=1, le=100)
    # The library's "today" is the real date in Asia/Tokyo; tests and demos may pin it.
    today: date | None = None
    log_level: str = "info"
    # HTTPS served by the server itself (PEM files); leave empty behind a TLS-terminating reverse proxy.
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    # Queue tickets (server/tickets): services, counters, opening hours (Asia/Tokyo wall clock).
    ticket_services: list[TicketServiceSetting] = DEFAULT_TICKET_SERVICES
    counters: list[CounterSetting] = DEFAULT_COUNTERS
    # Base of the status URL printed as a QR code; empty: the URL the kiosk used (development only).
    public_base_url: str = Field(default="", validate_default=True)
    counter_hours_weekday: tuple[str, str] = ("09:00", "20:00")
    counter_hours_weekend: tuple[str, str] = ("09:00", "18:00")  # Saturdays, Sundays and public holidays
    closed_weekdays: list[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]] = [
        "monday"
    ]
    closed_dates: list[str] = ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]  # MM-DD yearly or YYYY-MM-DD
    open_on_public_holidays: bool = True
    # Renewal requests (server/domain/renewal_proof.py): how long a card's proof lasts, and how many compares a
    # card number and a kiosk may make; how precisely a typed card number's expiry is told (the day is the
    # birthday: "month" tells year and month only; a card that signed always gets the day).
    renewal_proof_ttl_seconds: int = Field(default=600, ge=30, le=3600)
    renewal_compares_per_card: int = Field(default=5, ge=1)
    renewal_compare_card_window_hours: int = Field(default=24, ge=1)
    renewal_compares_per_kiosk: int = Field(default=20, ge=1)
    renewal_compare_kiosk_window_minutes: int = Field(default=60, ge=1)
    typed_number_expiry_precision: Literal["day", "month"] = "month"
    # Operations (server/ops): kiosks older than this version are refused (empty: no minimum).
    min_kiosk_version: str = ""
    # One-time kiosk enrollment codes: lifetime, and failed redemptions allowed per client address and window.
    enroll_code_minutes: int = 30
    enroll_window_minutes: int = 15
    enroll_max_failures_per_client: int = 10
    # Retention (python -m server admin retention), in days.
    retention_tickets_days: int = 90
    retention_audit_days: int = 1825
    retention_statistics_days: int = 3650
    retention_ended_links_days: int = 365
    retention_decided_migrations_days: int = 365
    # PostgreSQL client programs for backup/restore (empty: the newest /usr/lib/postgresql/*/bin).
    pg_bin_dir: str = ""
    # Backups: age public keys to encrypt to (a file), and where to copy them off the machine.
    backup_encrypt_to: str = ""
    backup_copy_to: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment, then the TOML file (SERVER_CONFIG_FILE to choose another)."""
        toml_file = Path(os.environ.get("SERVER_CONFIG_FILE", DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    @field_validator("demo_kiosk_secret")
    @classmethod
    def _refuse_placeholder_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """A kiosk secret must be real: refuse placeholders and short strings."""
        if value is not None:
            raw = value.get_secret_value()
            if raw.lower() in _PLACEHOLDER_SECRETS or len(raw) < 16:
                raise ValueError("demo_kiosk_secret is a placeholder or shorter than 16 characters")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url_in_production(cls, value: str, info: ValidationInfo) -> str:
        """In production the ticket QR's URL comes from this setting, never from a request's Host header."""
        value = value.strip()
        if value and not re.fullmatch(r"https?://[^/\s?#]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not an http(s):// URL")
        if not value and info.data.get("mode") == "production":
            raise ValueError('must be set when mode is "production": the URL printed in ticket QR codes (else a '
                             "request's Host header would decide it)")
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        """Use psycopg 3 for PostgreSQL; anchor relative SQLite paths at the repository root."""
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
            relative = value.removeprefix("sqlite:///")
            if relative and relative != ":memory:":
                return "sqlite:///" + str(REPO_ROOT / relative)
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings now (not at import time, so tests can set the environment first)."""
    return Settings(**overrides)  # type: ignore[arg-type]
