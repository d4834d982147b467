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
            "KIOSK_CARD_LEFT_CUE_EVERY_S": "2.5",
            "KIOSK_CARD_LEFT_CUE_TIMES": "3",
        }
    )
    assert settings.server.url == "https://api.example.test"
    assert settings.session.idle_timeout_s == 45
    assert settings.display.fullscreen is False
    assert (settings.card.left_cue_every_s, settings.card.left_cue_times) == (2.5, 3)


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
        ({"KIOSK_CARD_LEFT_CUE_EVERY_S": "0.2"}, "card.left_cue_every_s"),
        ({"KIOSK_CARD_LEFT_CUE_TIMES": "100"}, "card.left_cue_times"),
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


# --- Bad settings stop start-up with one line (issue 15) ---------------------------------------------------------

def run_kiosk(environ: dict[str, str], tmp_path: Path, args: list[str] | None = None) -> subprocess.CompletedProcess:
    """main.py (or `python -m ARGS`) with these variables only; waits for it to end (a refusal ends it at once)."""
    env = {"PATH": "/usr/bin:/bin", "KIVY_HOME": str(tmp_path / "kivy"), "SDL_VIDEODRIVER": "offscreen", **environ}
    command = [sys.executable, *(["-m", *args] if args else [str(ROOT / "main.py")])]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


def assert_one_line(result: subprocess.CompletedProcess, *named: str) -> str:
    """A non-zero exit and exactly one line on standard error, naming the setting; no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


def _latin1_file(path: Path) -> Path:
    path.write_bytes('[server]\nurl = "http://h"\nkiosk_id = "bibliothèque"\n'.encode("latin-1"))
    return path


def test_a_settings_file_that_is_a_directory_or_not_utf8_is_one_line(tmp_path: Path) -> None:
    assert_one_line(run_kiosk({"KIOSK_CONFIG": str(tmp_path)}, tmp_path), "KIOSK_CONFIG", "is a directory")
    latin1 = _latin1_file(tmp_path / "kiosk.toml")
    assert_one_line(run_kiosk({"KIOSK_CONFIG": str(latin1)}, tmp_path), "KIOSK_CONFIG", "not UTF-8")
    assert_one_line(run_kiosk({"KIOSK_CONFIG": str(tmp_path / "gone.toml")}, tmp_path), "KIOSK_CONFIG", "not found")


def test_a_credentials_file_that_is_a_directory_or_not_utf8_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "credentials"
    folder.mkdir(mode=0o700)
    assert_one_line(run_kiosk({"KIOSK_SERVER_CREDENTIALS_FILE": str(folder)}, tmp_path),
                    "server.credentials_file", "is a directory")
    latin1 = _latin1_file(tmp_path / "credentials.toml")
    latin1.chmod(0o600)
    assert_one_line(run_kiosk({"KIOSK_SERVER_CREDENTIALS_FILE": str(latin1)}, tmp_path),
                    "server.credentials_file", "not UTF-8")


@pytest.mark.parametrize(("name", "value"), [("KIOSK_SERVER_TIMEOUT_S", "nan"), ("KIOSK_SERVER_TIMEOUT_S", "inf"),
                                             ("KIOSK_SERVER_TIMEOUT_S", "0"), ("KIOSK_OUTBOX_RETRY_MAX_S", "inf"),
                                             ("KIOSK_SERVER_CLOCK_OFFSET_S", "nan"),
                                             ("KIOSK_ACCESSIBILITY_VOLUME", "nan"),
                                             ("KIOSK_PRINTER_TIMEOUT", "nan")])
def test_a_number_that_is_not_finite_or_not_positive_is_one_line(tmp_path: Path, name: str, value: str) -> None:
    environ = {name: value, **({"KIOSK_PRINTER_BACKEND": "network", "KIOSK_PRINTER_HOST": "192.0.2.1"}
                                if name.startswith("KIOSK_PRINTER") else {})}
    setting = name.removeprefix("KIOSK_").lower().replace("_", ".", 1)
    assert_one_line(run_kiosk(environ, tmp_path), setting, value)


@pytest.mark.parametrize(("name", "suggested"), [("KIOSK_SESSION_IDLE_TIMOUT_S", "KIOSK_SESSION_IDLE_TIMEOUT_S"),
                                                 ("KIOSK_SERVR_URL", "KIOSK_SERVER_URL"),
                                                 ("KIOSK_OUTBOX_RETRY_MAXS", "KIOSK_OUTBOX_RETRY_MAX_S")])
def test_a_misspelt_environment_key_is_one_line(tmp_path: Path, name: str, suggested: str) -> None:
    line = assert_one_line(run_kiosk({name: "30"}, tmp_path), name, "no such setting")
    assert line.endswith(f"did you mean {suggested}?")


def test_a_misspelt_printer_key_is_one_line(tmp_path: Path) -> None:
    assert_one_line(run_kiosk({"KIOSK_PRINTER_DIRECTROY": str(tmp_path)}, tmp_path), "printer.directroy",
                    "unknown setting")


def test_a_misspelt_key_in_the_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text((ROOT / "config" / "kiosk.toml").read_text(encoding="utf-8").replace(
        "idle_timeout_s", "idle_timout_s", 1), encoding="utf-8")
    assert_one_line(run_kiosk({"KIOSK_CONFIG": str(path)}, tmp_path), "session.idle_timout_s", "unknown setting")


def test_variables_that_are_not_settings_are_known_by_name() -> None:
    environ = {name: "1" for name in config.NON_SETTING_VARIABLES if name != "KIOSK_CONFIG"}
    assert config.load(environ=environ).server.url.startswith("http")


def test_non_finite_numbers_in_the_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    base = '[server]\nurl = "http://h"\nkiosk_id = "k"\nsecret = "0123456789abcdefXYZ"\n'
    for table in ("[server]\ntimeout_s = nan", "[outbox]\nretry_base_s = inf", "[accessibility]\nvolume = -nan"):
        path.write_text(base.replace("[server]\n", table + "\n", 1) if table.startswith("[server]")
                        else base + table + "\n", encoding="utf-8")
        with pytest.raises(config.ConfigError, match="must be a finite number"):
            config.load(path, environ={})


@pytest.mark.parametrize(("name", "value"), [("KIOSK_SERVER_TIMEOUT_S", "-3"), ("KIOSK_SESSION_IDLE_TIMEOUT_S", "0"),
                                             ("KIOSK_MAINTENANCE_LOCKOUT_S", "-10")])
def test_durations_must_be_positive(name: str, value: str) -> None:
    with pytest.raises(config.ConfigError, match=name.removeprefix("KIOSK_").lower().replace("_", r"\.", 1)):
        config.load(environ={name: value})
    assert config.load(environ={"KIOSK_SERVER_CLOCK_OFFSET_S": "-30"}).server.clock_offset_s == -30


def test_enroll_refuses_a_directory_a_bad_url_or_a_missing_ca_before_any_request(tmp_path: Path) -> None:
    # No server listens at these addresses: a refusal must come before the one-time code is spent.
    enroll = ["kiosk.enroll", "AAAAA-AAAAA", "--server", "http://127.0.0.1:9"]
    assert_one_line(run_kiosk({}, tmp_path, [*enroll, "--credentials", str(tmp_path)]),
                    "--credentials", "is a directory")
    assert_one_line(run_kiosk({"KIOSK_SERVER_CREDENTIALS_FILE": str(tmp_path)}, tmp_path, enroll),
                    "KIOSK_SERVER_CREDENTIALS_FILE", "is a directory")
    assert_one_line(run_kiosk({"KIOSK_SERVER_CA_FILE": str(tmp_path / "ca.pem")}, tmp_path,
                              [*enroll, "--credentials", str(tmp_path / "c.toml")]), "KIOSK_SERVER_CA_FILE")
    assert_one_line(run_kiosk({}, tmp_path, ["kiosk.enroll", "AAAAA-AAAAA", "--server", "kiosk-api.example",
                                             "--credentials", str(tmp_path / "c.toml")]), "--server")
