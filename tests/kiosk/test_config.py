"""Kiosk settings: the shipped file loads, environment overrides win, bad values name the setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import config

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_settings_load_with_secret_masked() -> None:
    settings = config.load(environ={})
    assert settings.server.url.startswith("http")
    assert settings.session.idle_warning_s >= 20
    masked = settings.masked()
    assert masked["server"]["secret"] == "********"
    assert settings.server.secret not in repr(settings)


def test_environment_overrides_the_file() -> None:
    settings = config.load(
        environ={
            "KIOSK_SERVER_URL": "https://api.example.test",
            "KIOSK_SESSION_IDLE_TIMEOUT_S": "45",
            "KIOSK_DISPLAY_FULLSCREEN": "no",
        }
    )
    assert settings.server.url == "https://api.example.test"
    assert settings.session.idle_timeout_s == 45
    assert settings.display.fullscreen is False


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"KIOSK_SERVER_URL": "ftp://x"}, "server.url"),
        ({"KIOSK_SESSION_IDLE_TIMEOUT_S": "soon"}, "session.idle_timeout_s"),
        ({"KIOSK_SESSION_IDLE_WARNING_S": "5"}, "session.idle_warning_s"),
        ({"KIOSK_SESSION_DEFAULT_LANGUAGE": "fr"}, "session.default_language"),
        ({"KIOSK_SESSION_LANGUAGES": "ja:fr"}, "session.languages"),
        ({"KIOSK_SESSION_LANGUAGES": "ja:en:ja"}, "session.languages"),
        ({"KIOSK_SESSION_LANGUAGES": "en:ko"}, "session.default_language"),
        ({"KIOSK_PRINTER_BACKEND": "fax"}, "printer.backend"),
        ({"KIOSK_SERVER_SECRET": "short"}, "server.secret"),
        ({"KIOSK_BARCODE_PATTERN": "[0-9"}, "barcode.pattern"),
        ({"KIOSK_BARCODE_PATTERN": r"^\d+$"}, "barcode.pattern"),
        ({"KIOSK_DISPLAY_DPI": "5"}, "display.dpi"),
    ],
)
def test_bad_value_names_the_setting(environ: dict[str, str], named: str) -> None:
    with pytest.raises(config.ConfigError, match=named.replace(".", r"\.")):
        config.load(environ=environ)


def test_missing_setting_and_wrong_type_in_file_are_named(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[server]\nurl = "http://127.0.0.1:1"\nsecret = "0123456789abcdefXYZ"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"server\.kiosk_id: missing"):
        config.load(path, environ={})
    path.write_text('[server]\nurl = "http://h"\nkiosk_id = "k"\nsecret = "0123456789abcdefXYZ"\ntimeout_s = true\n')
    with pytest.raises(config.ConfigError, match=r"server\.timeout_s: must be a float"):
        config.load(path, environ={})
    path.write_text('[server]\nurl = "http://h"\nkiosk_id = "k"\nsecret = "0123456789abcdefXYZ"\n[sound]\n')
    with pytest.raises(config.ConfigError, match="sound: unknown section"):
        config.load(path, environ={})


def test_kiosk_start_stops_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    """The real entry point: no traceback, exit status 2, the setting named."""
    env = {"PATH": "/usr/bin:/bin", "KIOSK_SESSION_IDLE_TIMEOUT_S": "never", "KIVY_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "session.idle_timeout_s" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_font_is_a_configuration_error(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "KIOSK_DISPLAY_FONTS": "/nonexistent/font.ttf", "KIVY_HOME": str(tmp_path),
           "SDL_VIDEODRIVER": "offscreen"}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "display.fonts" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_printer_setting_stops_start_with_its_name(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "KIOSK_PRINTER_BACKEND": "network", "KIVY_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "printer.host" in result.stderr
    assert "Traceback" not in result.stderr


def test_backend_options_come_from_the_file_or_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[server]\nurl = "http://h"\nkiosk_id = "k"\nsecret = "0123456789abcdefXYZ"\n'
        '[printer]\nbackend = "network"\nhost = "10.0.0.5"\nport = 9100\n',
        encoding="utf-8",
    )
    settings = config.load(path, environ={"KIOSK_PRINTER_HOST": "printer.local"})
    assert settings.printer.options == {"host": "printer.local", "port": 9100}


def test_languages_of_the_picker_come_from_the_file_or_the_environment() -> None:
    assert config.load(environ={}).session.languages == ("ja", "ja-easy", "en", "zh", "ko")
    settings = config.load(environ={"KIOSK_SESSION_LANGUAGES": "ko:ja", "KIOSK_SESSION_DEFAULT_LANGUAGE": "ko"})
    assert settings.session.languages == ("ko", "ja")
    assert settings.session.default_language == "ko"
