"""Typed kiosk settings from config/kiosk.toml, overridable by KIOSK_<SECTION>_<KEY> environment variables.

A bad or missing setting raises ConfigError naming the setting, so start-up can stop with one clear
line instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import i18n

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config" / "kiosk.toml"
# Offered in the language picker, in this order (each needs a catalogue in kiosk/locale/).
LANGUAGES = ("ja", "ja-easy", "en", "zh", "ko")
PRINTER_BACKENDS = ("file", "usb", "network", "serial")
# KIOSK_* environment variables that are not KIOSK_<SECTION>_<KEY> settings; any other KIOSK_* variable
# must name a setting, so a misspelt one stops start-up instead of being ignored.
NON_SETTING_VARIABLES = frozenset({
    "KIOSK_CONFIG",  # the settings file (this module)
    "KIOSK_TEST_DRIVER_PORT",  # main.py: the UI tests' driver (unset by the deployed units)
    "KIOSK_EXIT_AFTER_FIRST_FRAME",  # main.py: bench/kiosk_start_bench.py's cold-start timing
    "KIOSK_DEMO_PERSONA",  # scripts/run_system.py (make run): the virtual card inserted
    "KIOSK_RUN_SCREENSHOT_DIR",  # scripts/run_system.py: where the kiosk's live screenshot goes
})
# A spoken language's voice (accessibility.voice_<language>): Open JTalk, or an espeak-ng voice by name.
VOICE_PATTERN = re.compile(r"openjtalk|espeak-ng:[a-z][a-z0-9-]*")
# Settings in seconds or minutes that may be zero or negative (an offset, not a length of time).
_SIGNED_DURATIONS = frozenset({"server.clock_offset_s"})


def resolve(path: str | Path) -> Path:
    """A settings path as an absolute path; relative ones are under the repository root."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


class ConfigError(Exception):
    """A setting is missing or has a bad value; the message names the setting and where it came from."""


@dataclass(frozen=True)
class ServerSettings:
    """How to reach and authenticate to the central registration API."""

    url: str
    kiosk_id: str
    secret: str = field(repr=False)
    timeout_s: float = 8.0
    # A separate TOML file ([server] kiosk_id, secret, url) written by enrollment (python -m kiosk.enroll),
    # mode 0600 and owned by the kiosk user; its values win over this file's. Empty: none.
    credentials_file: str = ""
    # PEM file of the CA that issued the server's TLS certificate (a private CA); empty: the system's CAs.
    ca_file: str = ""
    # Seconds added to this kiosk's clock when it signs requests: tests and drills of a skewed clock only.
    clock_offset_s: float = 0.0


@dataclass(frozen=True)
class SessionSettings:
    """Patron session behaviour."""

    idle_timeout_s: int = 90
    idle_warning_s: int = 30
    default_language: str = "ja"
    # The languages of the picker, in its order; each has a catalogue (kiosk/locale/<code>/).
    languages: tuple[str, ...] = LANGUAGES


@dataclass(frozen=True)
class CardSettings:
    """Which PC/SC reader to use, and how long a card command may take."""

    reader: str = ""
    # Seconds a card or reader may take to answer one command before the patron is asked to take the card
    # out (a real card signs in under one second).
    command_timeout_s: float = 5.0
    # A card left on the reader after its flow ended (kiosk/card_left.py): the take-your-card cue sounds every
    # left_cue_every_s seconds, at most left_cue_times times (0: the banner only), until the card is taken.
    left_cue_every_s: float = 5.0
    left_cue_times: int = 6


@dataclass(frozen=True)
class PrinterSettings:
    """Ticket printer backend; keys beyond the common ones are passed to the backend."""

    backend: str = "file"
    directory: str = "var/tickets"
    width_dots: int = 576
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DisplaySettings:
    """Window, font and screen density."""

    fullscreen: bool = True
    width: int = 1280
    height: int = 800
    dpi: int = 96
    fonts: tuple[str, ...] = ()
    screenshot_dir: str = ""


@dataclass(frozen=True)
class BarcodeSettings:
    """What a library card barcode looks like."""

    pattern: str = r"^(\d{10})$"


@dataclass(frozen=True)
class MaintenanceSettings:
    """Staff maintenance mode and fleet heartbeat (kiosk/maintenance)."""

    idle_exit_minutes: int = 3
    lockout_tries: int = 5
    lockout_s: int = 300
    heartbeat_interval_s: int = 60
    # Kiosk-local state: service mode, today's printed tickets, restart flag (relative: to the repo root).
    data_dir: str = "var/kiosk"
    # Salted staff PIN hashes fetched from the server, so staff can sign in while it is down (mode 0600).
    staff_cache_path: str = "var/kiosk/staff-cache.json"


@dataclass(frozen=True)
class OutboxSettings:
    """The durable outbox (kiosk/outbox): requests kept in a local SQLite file until the server has them."""

    # Relative paths are under the repository root, like maintenance.data_dir.
    path: str = "var/kiosk/outbox.sqlite3"
    # First retry delay after a failure, doubled each time up to retry_max_s (with jitter).
    retry_base_s: float = 2.0
    retry_max_s: float = 300.0


@dataclass(frozen=True)
class AccessibilitySettings:
    """Cue sounds, audio guidance and the wheelchair reach (kiosk/a11y, screens/a11y.py)."""

    # A sound for every step, result, error and key press (off: silent kiosk, e.g. in a reading room).
    sounds: bool = True
    volume: float = 0.8
    # Cue WAV files, written on first use (relative: to the repo root).
    sounds_dir: str = "var/sounds"
    # The voice of each language in the audio guidance mode (kiosk/a11y/speech.py): "openjtalk" (Open JTalk's
    # mei voice, in-process), "espeak-ng:<voice>", or empty (not spoken: the cue sounds only).
    voice_ja: str = "openjtalk"
    voice_ja_easy: str = "openjtalk"
    voice_en: str = "espeak-ng:en-gb"
    voice_zh: str = "espeak-ng:cmn-latn-pinyin"  # reads hanzi ("cmn" reads their pinyin as English)
    voice_ko: str = "espeak-ng:ko"
    # Prompts synthesised ahead into this directory (relative: to the repo root), by a hash of voice and text.
    voice_cache_dir: str = "var/voice"
    # 1.0: each synthesiser's lobby pace (espeak-ng 150 words a minute, Open JTalk its voice's own pace).
    speech_speed: float = 1.0
    # Every patron control lies in this lower fraction of the screen (reachable from a wheelchair).
    reach_fraction: float = 0.6

    def voices(self) -> dict[str, str]:
        """Catalogue language -> voice, for the languages that are spoken."""
        named = {language: getattr(self, "voice_" + language.replace("-", "_"), "") for language in LANGUAGES}
        return {language: voice for language, voice in named.items() if voice}


@dataclass(frozen=True)
class KeypadSettings:
    """The tactile numeric keypad for operation without sight (kiosk/a11y/keypad.py): Kivy's key names for
    each key. The defaults are a common USB numeric keypad with Num Lock on."""

    enabled: bool = True
    digits: tuple[str, ...] = tuple(f"numpad{d}" for d in range(10))  # 0 to 9, in order
    enter: tuple[str, ...] = ("numpadenter",)
    clear: tuple[str, ...] = ("numpaddecimal",)  # "." (Del with Num Lock off)
    back: tuple[str, ...] = ("numpadsubstract", "backspace")  # "-", and the Backspace key many keypads have
    help: tuple[str, ...] = ("numpadadd",)  # "+": the tall key, easy to find by touch
    staff: tuple[str, ...] = ("numpadmul",)  # "*": call staff, on the top row beside "-"


@dataclass(frozen=True)
class KioskSettings:
    """All kiosk settings."""

    server: ServerSettings
    session: SessionSettings
    card: CardSettings
    printer: PrinterSettings
    display: DisplaySettings
    barcode: BarcodeSettings
    source: Path
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    keypad: KeypadSettings = field(default_factory=KeypadSettings)

    def masked(self) -> dict[str, dict[str, Any]]:
        """Settings in effect with secrets replaced, for diagnostics screens and logs."""
        out: dict[str, dict[str, Any]] = {}
        for section in ("server", "session", "card", "printer", "display", "barcode", "maintenance", "outbox",
                        "accessibility", "keypad"):
            values = dataclasses.asdict(getattr(self, section))
            if "secret" in values:
                values["secret"] = "********"  # noqa: S105 - the mask, not a secret
            out[section] = values
        return out


_SECTIONS: dict[str, type] = {
    "server": ServerSettings,
    "session": SessionSettings,
    "card": CardSettings,
    "printer": PrinterSettings,
    "display": DisplaySettings,
    "barcode": BarcodeSettings,
    "maintenance": MaintenanceSettings,
    "outbox": OutboxSettings,
    "accessibility": AccessibilitySettings,
    "keypad": KeypadSettings,
}


def load(path: Path | None = None, environ: Mapping[str, str] | None = None, *,
         enrolled: bool = True) -> KioskSettings:
    """Read the settings file, apply environment overrides, and validate every value.

    ``enrolled=False`` skips the enrollment credentials (install-time tools that never call the server run
    before the kiosk is enrolled); the placeholders of the settings file stay in ``server``."""
    environ = os.environ if environ is None else environ
    _check_environment(environ)
    named = not path and environ.get("KIOSK_CONFIG")
    path = Path(path or environ.get("KIOSK_CONFIG") or DEFAULT_PATH)
    where = f"KIOSK_CONFIG: {path}" if named else f"settings file {path}"
    if not named and not path.exists():
        raise ConfigError(f"{where} not found (set KIOSK_CONFIG or create it)")
    raw = _read_toml(path, where)
    if enrolled:
        raw = _merge_credentials(raw, environ, path)
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ConfigError(f"{sorted(unknown)[0]}: unknown section in {path}")
    sections = {name: _build(name, cls, raw.get(name, {}), environ, path) for name, cls in _SECTIONS.items()}
    settings = KioskSettings(source=path, **sections)
    _validate(settings)
    return settings


def _merge_credentials(raw: dict[str, Any], environ: Mapping[str, str], path: Path) -> dict[str, Any]:
    """Overlay the enrollment credentials file's [server] table, when one is configured."""
    server = raw.get("server")
    named = environ.get("KIOSK_SERVER_CREDENTIALS_FILE") or (server.get("credentials_file")
                                                              if isinstance(server, dict) else None)
    if not named:
        return raw
    cred_path = Path(named) if Path(named).is_absolute() else ROOT / named
    if not cred_path.exists():
        raise ConfigError(f"server.credentials_file: {cred_path} not found "
                          "(enroll this kiosk: python -m kiosk.enroll CODE --server URL)")
    creds = _read_toml(cred_path, f"server.credentials_file: {cred_path}")
    mode = cred_path.stat().st_mode
    if mode & 0o077:
        # The secret signs every request: a copy others can read is a leaked kiosk.
        raise ConfigError(f"server.credentials_file: {cred_path} is readable by others (chmod 600 it)")
    table = creds.get("server")
    if set(creds) != {"server"} or not isinstance(table, dict) or not set(table) <= {"url", "kiosk_id", "secret"}:
        raise ConfigError(f"server.credentials_file: {cred_path} must hold only [server] url, kiosk_id, secret")
    merged = dict(raw)
    merged["server"] = {**(server if isinstance(server, dict) else {}), **table}
    return merged


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    """The TOML table in `path`; ConfigError starting with `where` when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{where} is a directory, not a settings file") from None
    except PermissionError:
        raise ConfigError(f"{where} is not readable by this user") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read: {exc.strerror or exc}") from None


def _check_environment(environ: Mapping[str, str]) -> None:
    """ConfigError for a KIOSK_* variable that names no setting (a misspelling would be silently ignored).

    `[printer]` passes keys it does not know to the backend, which refuses those it cannot use
    (kiosk.printer.factory), so KIOSK_PRINTER_* is left to it.
    """
    known = {f"KIOSK_{section}_{f.name}".upper() for section, cls in _SECTIONS.items()
             for f in dataclasses.fields(cls) if f.name != "options"}
    for name in sorted(environ):
        if not name.startswith("KIOSK_") or name in known or name in NON_SETTING_VARIABLES:
            continue
        if name.startswith("KIOSK_PRINTER_"):
            continue
        close = difflib.get_close_matches(name, sorted(known | NON_SETTING_VARIABLES), n=1)
        hint = f"; did you mean {close[0]}?" if close else " (KIOSK_<SECTION>_<KEY>, see config/kiosk.toml)"
        raise ConfigError(f"{name}: no such setting in the environment{hint}")


def _build(name: str, cls: type, table: Any, environ: Mapping[str, str], path: Path) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{name}: must be a table in {path}")
    kwargs: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(cls)}
    extra = {k: v for k, v in table.items() if k not in fields}
    if extra and "options" not in fields:
        raise ConfigError(f"{name}.{sorted(extra)[0]}: unknown setting in {path}")
    for fname, f in fields.items():
        if fname == "options":
            # Backend-specific keys (printer host, USB ids...): from the file, or KIOSK_<SECTION>_<KEY> as text.
            prefix = f"KIOSK_{name}_".upper()
            from_env = {k[len(prefix):].lower(): v for k, v in environ.items()
                        if k.startswith(prefix) and k[len(prefix):].lower() not in fields}
            kwargs[fname] = {**extra, **from_env}
            continue
        env_name = f"KIOSK_{name}_{fname}".upper()
        if env_name in environ:
            kwargs[fname] = _coerce(f"{name}.{fname}", f.type, environ[env_name], f"environment {env_name}")
        elif fname in table:
            kwargs[fname] = _check_type(f"{name}.{fname}", f.type, table[fname], str(path))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{name}.{fname}: missing (set it in {path} or {env_name})")
    return cls(**kwargs)


def _coerce(setting: str, type_name: Any, text: str, origin: str) -> Any:
    """Turn an environment string into the setting's type."""
    type_name = str(type_name)
    try:
        if type_name == "bool":
            lowered = text.strip().lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(text)
            return lowered in ("1", "true", "yes")
        if type_name == "int":
            return int(text)
        if type_name == "float":
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            return value
        if type_name.startswith("tuple"):
            return tuple(p for p in text.split(os.pathsep) if p)
    except ValueError:
        raise ConfigError(f"{setting}: {text!r} is not a valid {type_name} (from {origin})") from None
    return text


def _check_type(setting: str, type_name: Any, value: Any, origin: str) -> Any:
    type_name = str(type_name)
    expected: dict[str, tuple[type, ...]] = {"bool": (bool,), "int": (int,), "float": (int, float), "str": (str,)}
    if type_name.startswith("tuple"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{setting}: must be a list of strings (in {origin})")
        return tuple(value)
    ok = expected.get(type_name, (object,))
    # bool is a subclass of int: refuse true/false where a number is meant.
    if not isinstance(value, ok) or (type_name in ("int", "float") and isinstance(value, bool)):
        raise ConfigError(f"{setting}: must be a {type_name}, got {value!r} (in {origin})")
    if type_name == "float" and isinstance(value, int | float):  # always, after the check above
        number = float(value)
        if not math.isfinite(number):  # TOML has nan and inf
            raise ConfigError(f"{setting}: must be a finite number, got {value!r} (in {origin})")
        return number
    return value


def _validate_languages(session: SessionSettings) -> None:
    present = i18n.languages()  # the catalogues present decide which codes are valid
    if not session.languages:
        raise ConfigError("session.languages: must name at least one language")
    unknown = [code for code in session.languages if code not in present]
    if unknown:
        raise ConfigError(f"session.languages: no catalogue for {', '.join(unknown)} "
                          f"(present: {', '.join(present)})")
    if len(set(session.languages)) != len(session.languages):
        raise ConfigError("session.languages: a language is listed twice")
    if session.default_language not in session.languages:
        raise ConfigError(f"session.default_language: must be one of session.languages "
                          f"({', '.join(session.languages)})")


def _validate_durations(s: KioskSettings) -> None:
    """Every length of time (a setting in seconds or minutes) is positive: zero or less never ends or always fails."""
    for section in _SECTIONS:
        values = getattr(s, section)
        for f in dataclasses.fields(values):
            value, setting = getattr(values, f.name), f"{section}.{f.name}"
            if f.name.endswith(("_s", "_minutes")) and setting not in _SIGNED_DURATIONS and value <= 0:
                raise ConfigError(f"{setting}: must be a positive number of "
                                  f"{'seconds' if f.name.endswith('_s') else 'minutes'}, not {value}")


def _validate(s: KioskSettings) -> None:
    """Range and format checks that types alone cannot express."""
    _validate_durations(s)
    if not re.match(r"^https?://[^\s/]+", s.server.url):
        raise ConfigError(f"server.url: {s.server.url!r} is not an http(s) URL")
    if not s.server.kiosk_id.strip():
        raise ConfigError("server.kiosk_id: must not be empty")
    if len(s.server.secret) < 16:
        raise ConfigError("server.secret: must be at least 16 characters")
    if s.server.ca_file and not Path(s.server.ca_file).is_file():
        raise ConfigError(f"server.ca_file: {s.server.ca_file!r} is not a file")
    if s.server.timeout_s <= 0:
        raise ConfigError("server.timeout_s: must be positive")
    if s.session.idle_timeout_s < 10:
        raise ConfigError("session.idle_timeout_s: must be at least 10 seconds")
    if s.session.idle_warning_s < 20:
        raise ConfigError("session.idle_warning_s: must be at least 20 seconds (WCAG 2.2.1)")
    _validate_languages(s.session)
    if not 1 <= s.card.command_timeout_s <= 60:  # also refuses nan
        raise ConfigError("card.command_timeout_s: must be between 1 and 60 seconds")
    if not 1 <= s.card.left_cue_every_s <= 60:
        raise ConfigError("card.left_cue_every_s: must be between 1 and 60 seconds")
    if not 0 <= s.card.left_cue_times <= 20:
        raise ConfigError("card.left_cue_times: must be between 0 and 20")
    if s.printer.backend not in PRINTER_BACKENDS:
        raise ConfigError(f"printer.backend: must be one of {', '.join(PRINTER_BACKENDS)}")
    if s.printer.width_dots not in (384, 512, 576):
        raise ConfigError("printer.width_dots: must be 384 (58 mm), 512 or 576 (80 mm)")
    if not 200 <= s.display.width <= 8000 or not 200 <= s.display.height <= 8000:
        raise ConfigError("display.width/height: must be between 200 and 8000 pixels")
    if not 50 <= s.display.dpi <= 600:
        raise ConfigError("display.dpi: must be between 50 and 600")
    try:
        compiled = re.compile(s.barcode.pattern)
    except re.error as exc:
        raise ConfigError(f"barcode.pattern: not a valid regular expression ({exc})") from None
    if compiled.groups < 1:
        raise ConfigError("barcode.pattern: needs one group that captures the card number")
    m = s.maintenance
    if not 1 <= m.idle_exit_minutes <= 60:
        raise ConfigError("maintenance.idle_exit_minutes: must be between 1 and 60")
    if not 1 <= m.lockout_tries <= 20:
        raise ConfigError("maintenance.lockout_tries: must be between 1 and 20")
    if not 10 <= m.lockout_s <= 86400:
        raise ConfigError("maintenance.lockout_s: must be between 10 and 86400 seconds")
    if not 1 <= m.heartbeat_interval_s <= 3600:
        raise ConfigError("maintenance.heartbeat_interval_s: must be between 1 and 3600 seconds")
    if not m.data_dir.strip() or not m.staff_cache_path.strip():
        raise ConfigError("maintenance.data_dir / staff_cache_path: must not be empty")
    if abs(s.server.clock_offset_s) > 86400:
        raise ConfigError("server.clock_offset_s: must be within one day")
    o = s.outbox
    if not o.path.strip():
        raise ConfigError("outbox.path: must not be empty")
    if not 0.1 <= o.retry_base_s <= o.retry_max_s <= 3600:
        raise ConfigError("outbox.retry_base_s / retry_max_s: need 0.1 <= base <= max <= 3600 seconds")
    a = s.accessibility
    if not 0 <= a.volume <= 1:
        raise ConfigError("accessibility.volume: must be between 0 and 1")
    if not 0.3 <= a.reach_fraction <= 1:
        raise ConfigError("accessibility.reach_fraction: must be between 0.3 and 1")
    if not 0.5 <= a.speech_speed <= 2:
        raise ConfigError("accessibility.speech_speed: must be between 0.5 and 2")
    for language in LANGUAGES:
        voice = getattr(a, "voice_" + language.replace("-", "_"), "")
        if voice and not VOICE_PATTERN.fullmatch(voice):
            raise ConfigError(f"accessibility.voice_{language.replace('-', '_')}: {voice!r} is not a voice "
                              '("openjtalk", "espeak-ng:<voice>" or empty)')
    _validate_keypad(s.keypad)


def _validate_keypad(keypad: KeypadSettings) -> None:
    """Ten digit keys, and no key with two meanings (kiosk/a11y/keypad.py reads them)."""
    if len(keypad.digits) != 10:
        raise ConfigError(f"keypad.digits: ten key names, 0 to 9, in order (got {len(keypad.digits)})")
    names = [*keypad.digits, *keypad.enter, *keypad.clear, *keypad.back, *keypad.help, *keypad.staff]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(f"keypad: key {twice[0]!r} is given two meanings")
