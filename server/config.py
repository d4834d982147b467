"""Typed server settings: config/server.toml, overridden by SERVER_* environment variables."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_FILE = REPO_ROOT / "config" / "server.toml"
# The default data directory (var/ in the checkout): the only one created when missing, for a first start.
DEFAULT_DATA_DIR = REPO_ROOT / "var"
# SERVER_* environment variables that are not settings (the TOML file to read).
NON_SETTING_VARIABLES = frozenset({"SERVER_CONFIG_FILE"})

# Values people copy from examples and forget to change.
_PLACEHOLDER_SECRETS = {"", "changethis", "changeme", "secret", "password", "xxx"}
# Whole-number durations: a setting named like these is a length of time and must be positive.
_DURATION_SUFFIXES = ("_seconds", "_minutes", "_hours", "_days", "_intervals")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class SettingError(Exception):
    """A setting that cannot work; the message names it (python -m server prints it as one line)."""


class TicketServiceSetting(BaseModel):
    """One counter service a queue ticket can be issued for (its own prefix and daily numbering)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is refused, not ignored

    id: str
    prefix: str
    name_ja: str
    name_en: str


class CounterSetting(BaseModel):
    """One staffed counter window that calls tickets."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name_ja: str
    name_en: str


class RegistrationIdSetting(BaseModel):
    """A document the counter accepts for a library card registration (GET /v1/registration/accepted-ids).

    kind "id": shows address, name and birth date; "address_proof": shows the current address, for an ID
    that does not; "not_accepted": named so the kiosk can say so (the 通知カード). The id is a stable key the
    kiosk's catalogues translate; name_ja / name_en are the library's own wording, for any other client.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: Literal["id", "address_proof", "not_accepted"] = "id"


# The library's page (利用者カードの登録・更新について): 現住所、氏名、生年月日が確認できる証明書, and when it shows no
# current address, a utility bill or the like; the 通知カード is not accepted. 在留カード is not named on the
# page (its list ends with など) but shows all three: listed for the foreign residents the kiosk serves.
DEFAULT_REGISTRATION_IDS = [
    RegistrationIdSetting(id="driving_licence", name_ja="運転免許証", name_en="Driving licence"),
    RegistrationIdSetting(id="health_insurance", name_ja="健康保険証・資格確認書",
                          name_en="Health insurance card or eligibility certificate"),
    RegistrationIdSetting(id="passport", name_ja="パスポート", name_en="Passport"),
    RegistrationIdSetting(id="my_number_card", name_ja="マイナンバーカード（個人番号カード）",
                          name_en="My Number card"),
    RegistrationIdSetting(id="residence_card", name_ja="在留カード", name_en="Residence card"),
    RegistrationIdSetting(id="disability_certificate", name_ja="障害者手帳", name_en="Disability certificate"),
    RegistrationIdSetting(id="employee_id", name_ja="社員証", name_en="Employee ID card"),
    RegistrationIdSetting(id="student_id", name_ja="学生証", name_en="Student ID card"),
    RegistrationIdSetting(id="pupil_handbook", name_ja="生徒手帳", name_en="Pupil's handbook"),
    RegistrationIdSetting(id="utility_bill", kind="address_proof",
                          name_ja="公共料金（電気、電話など）の領収書・請求書など、現住所が確認できるもの",
                          name_en="A utility (electricity, phone, ...) receipt or bill, or anything else showing "
                                  "the current address"),
    RegistrationIdSetting(id="notification_card", kind="not_accepted", name_ja="マイナンバーの通知カード",
                          name_en="The My Number notification card (通知カード)"),
]
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

    # A key the file names that is no setting is refused (a misspelling would silently keep the default).
    model_config = SettingsConfigDict(env_prefix="SERVER_", extra="forbid")

    # "production" (an installed server: deploy/server sets it) or "development" (make run, the tests).
    # Production refuses to start without what a library must configure itself (public_base_url).
    mode: Literal["production", "development"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, le=65535)  # 0: any free port (tests)
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
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    # HTTPS served by the server itself (PEM files); leave empty behind a TLS-terminating reverse proxy.
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    # Queue tickets (server/tickets): services, counters, opening hours (Asia/Tokyo wall clock).
    ticket_services: list[TicketServiceSetting] = DEFAULT_TICKET_SERVICES
    counters: list[CounterSetting] = DEFAULT_COUNTERS
    # The lobby display's spoken call names the place of the counter windows (server/tickets/callout.py).
    callout_place_ja: str = "2階総合カウンター"
    callout_place_en: str = "the 2nd floor main counter"
    # Base of the status URL printed as a QR code; empty: the URL the kiosk used (development only).
    public_base_url: str = Field(default="", validate_default=True)
    counter_hours_weekday: tuple[str, str] = ("09:00", "20:00")
    counter_hours_weekend: tuple[str, str] = ("09:00", "18:00")  # Saturdays, Sundays and public holidays
    closed_weekdays: list[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]] = [
        "monday"
    ]
    closed_dates: list[str] = ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]  # MM-DD yearly or YYYY-MM-DD
    open_on_public_holidays: bool = True
    # Renewal requests (server/renewals/proof.py): how long a card's proof lasts, and how many compares a
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
    # Registration applications (server/applications): a waiting one is forgotten (its personal data cleared,
    # counted as expired) this many days after it was made.
    retention_registration_applications_days: int = Field(default=30, ge=1, le=365)
    # The documents the counter accepts for a registration, served to kiosks (RegistrationIdSetting).
    registration_ids: list[RegistrationIdSetting] = DEFAULT_REGISTRATION_IDS
    # Where card lookups (expiry, block) are answered: the server's own database, or the ILS live over SIP2
    # (server/ils/; the sip2_* settings below, docs/operations.md "The ILS over SIP2").
    patron_source: Literal["database", "sip2"] = "database"
    sip2_host: str = ""
    sip2_port: int = Field(default=6001, ge=1, le=65535)
    sip2_tls: bool = False
    sip2_tls_ca_file: str = ""  # empty: the system's CAs
    sip2_tls_server_name: str = ""  # the name in the ILS's certificate; empty: sip2_host
    sip2_login_user: str = ""  # empty: no 93 Login
    sip2_login_password: SecretStr | None = None
    sip2_location_code: str = ""
    sip2_institution_id: str = ""
    sip2_terminal_password: SecretStr | None = None
    sip2_encoding: str = "utf-8"
    sip2_checksums: bool = True
    sip2_timeout_seconds: float = 5.0
    sip2_pool_size: int = Field(default=4, ge=1, le=64)
    sip2_message: Literal["patron_information", "patron_status"] = "patron_information"
    sip2_expiry_field: str = Field(default="PA", pattern=r"^([A-Z]{2})?$")  # empty: the patron status flags only
    sip2_expiry_format: str = "%Y%m%d"
    # The ILS keeps the library's rule (the expiry day is the patron's birthday). False for an ILS whose
    # dates are other days: a typed number is then told the whole date (it reveals no birthday), so the
    # kiosk never calls a day that is not a birthday "your birthday that month".
    sip2_expiry_is_birthday: bool = True
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
        return (init_settings, env_settings, InitSettingsSource(settings_cls, read_config_file()))

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

    @field_validator("database_url", "mykey_database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        """Use psycopg 3 for PostgreSQL; anchor relative SQLite paths at the repository root; refuse the rest."""
        if value is None:
            return None
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        elif value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
            relative = value.removeprefix("sqlite:///")
            if relative and relative != ":memory:":
                value = "sqlite:///" + str(REPO_ROOT / relative)
        check_database_url(value)
        return value

    @field_validator("counter_hours_weekday", "counter_hours_weekend")
    @classmethod
    def _hours_are_times_of_day(cls, value: tuple[str, str]) -> tuple[str, str]:
        for text in value:
            match = _TIME_OF_DAY.match(text)
            if not match or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > 24 * 60:
                raise ValueError(f"{text!r} is not a time of day (HH:MM from 00:00 to 24:00)")
        return value

    @field_validator("closed_dates")
    @classmethod
    def _dates_are_dates(cls, value: list[str]) -> list[str]:
        for text in value:
            match = _MONTH_DAY.match(text)
            try:
                # 2024 is a leap year, so "02-29" is a valid yearly date.
                date(2024, int(match[1]), int(match[2])) if match else date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date (MM-DD every year, or YYYY-MM-DD)") from None
            if not match and not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
                raise ValueError(f"{text!r} is not a date (MM-DD every year, or YYYY-MM-DD)")
        return value

    @field_validator("test_pki_dir")
    @classmethod
    def _directory_exists(cls, value: str | None) -> str | None:
        if value and not Path(value).is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    @model_validator(mode="after")
    def _durations_are_positive(self) -> Settings:
        """A length of time of zero, below zero, NaN or infinite makes every later use fail or never end."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name.endswith(_DURATION_SUFFIXES) and isinstance(value, int | float) and not isinstance(value, bool):
                if not math.isfinite(value) or value <= 0:
                    raise SettingError(f"{name}: must be a positive number, not {value}")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise SettingError("ssl_certfile and ssl_keyfile: set both, or neither")
        return self

    @model_validator(mode="after")
    def _sip2_settings_work(self) -> Settings:
        """The ILS connector's settings: a host when chosen, a date format that reads back, a real encoding."""
        if self.patron_source == "sip2" and not self.sip2_host:
            raise SettingError('sip2_host: must be set when patron_source is "sip2"')
        if self.sip2_expiry_format.strip():
            probe = date(2027, 6, 15)
            try:
                parsed = datetime.strptime(probe.strftime(self.sip2_expiry_format).strip(),
                                           self.sip2_expiry_format.strip()).date()
            except ValueError:
                parsed = None
            if parsed != probe:
                raise SettingError(f"sip2_expiry_format: {self.sip2_expiry_format!r} does not read back a date")
        try:
            "".encode(self.sip2_encoding)
        except LookupError:
            raise SettingError(f"sip2_encoding: {self.sip2_encoding!r} is not an encoding") from None
        return self


def check_readable_file(setting: str, path: str) -> None:
    """SettingError naming `setting` unless `path` is a file this process can read.

    Files are checked where they are used (serving reads the TLS and J-LIS files), so that a command
    that needs none of them, such as a backup, still runs on a machine without them.
    """
    if not Path(path).is_file():
        raise SettingError(f"{setting}: {path} " + ("is not a file" if Path(path).exists() else "not found"))
    if not os.access(path, os.R_OK):
        raise SettingError(f"{setting}: {path} is not readable by this user")


def check_database_url(url: str) -> None:
    """ValueError unless `url` names a SQLite file or a PostgreSQL database this server can use.

    A SQLite file's directory must exist (a typo would otherwise start an empty database somewhere
    new), except the default data directory, made on first start.
    """
    if not url.strip():
        raise ValueError("is empty (sqlite:///path/file.db or postgresql://user@host:port/database)")
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        raise ValueError("is not a database URL (sqlite:///path/file.db or postgresql://user@host:port/database)"
                         ) from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if (backend, driver) not in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        raise ValueError(f"{parsed.drivername} is not supported (sqlite:/// or postgresql://)")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"port {port} is not a port number (1 to 65535)")
    if backend == "postgresql":
        if not parsed.database:
            raise ValueError("names no database (postgresql://user@host:port/database)")
        return
    path = parsed.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    if file.is_dir():
        raise ValueError(f"{file} is a directory, not a database file")
    if not file.parent.is_dir() and file.parent != DEFAULT_DATA_DIR:
        raise ValueError(f"the directory {file.parent} does not exist (create it first)")


def read_config_file(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The TOML settings file's table: SERVER_CONFIG_FILE must exist; the shipped default may be absent."""
    environ = os.environ if environ is None else environ
    named = environ.get("SERVER_CONFIG_FILE")
    path = Path(named) if named else DEFAULT_CONFIG_FILE
    if not named and not path.exists():
        return {}
    where = f"SERVER_CONFIG_FILE: {path}" if named else f"settings file {path}"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingError(f"{where} not found") from None
    except IsADirectoryError:
        raise SettingError(f"{where} is a directory, not a settings file") from None
    except PermissionError:
        raise SettingError(f"{where} is not readable by this user") from None
    except UnicodeDecodeError:
        raise SettingError(f"{where} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingError(f"{where} is not valid TOML: {error}") from None
    except OSError as error:
        raise SettingError(f"{where} cannot be read: {error.strerror}") from None


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """SettingError for a SERVER_* variable that names no setting (a misspelling would be ignored)."""
    environ = os.environ if environ is None else environ
    known = {f"SERVER_{name.upper()}" for name in Settings.model_fields} | NON_SETTING_VARIABLES
    unknown = sorted(name for name in environ if name.upper().startswith("SERVER_") and name.upper() not in known)
    if unknown:
        raise SettingError(f"{unknown[0]}: no such setting (see config/server.toml for the settings there are)")


def describe(error: ValidationError) -> list[str]:
    """One line per bad setting (the first problem of each), naming it, without the value (it may be secret)."""
    where = os.environ.get("SERVER_CONFIG_FILE") or "config/server.toml"
    lines: dict[str, str] = {}
    for problem in error.errors():
        setting = str(problem["loc"][0]) if problem["loc"] else "settings"
        # counters[0].name_ja: where in a list of tables the problem is.
        path = setting + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem["loc"][1:])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "no such setting"
        lines.setdefault(setting, f"{path}: {message} ({where} or SERVER_{setting.upper()})")
    return list(lines.values())


def load_settings(**overrides: object) -> Settings:
    """Read settings now (not at import time, so tests can set the environment first).

    :raises SettingError: a settings file or SERVER_* variable that cannot be used.
    :raises pydantic.ValidationError: a bad value (describe() gives one line per setting).
    """
    check_environment()
    return Settings(**overrides)  # type: ignore[arg-type]
