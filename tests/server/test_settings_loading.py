"""The server's settings loader, fast: every refusal names the setting (the processes: test_server_process.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from server import config
from server.config import SettingError, check_database_url, check_environment, describe, load_settings, read_config_file


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://", "postgresql+psycopg://saga@/saga?host=/run/pg",
                                 "postgresql+psycopg://kiosk:pw@db.example:5432/saga"])
def test_usable_database_urls_pass(url: str) -> None:
    check_database_url(url)


@pytest.mark.parametrize(("url", "why"), [
    ("nonsense", "not a database URL"), ("  ", "is empty"), ("postgresql+psycopg://k@h:0/saga", "port 0"),
    ("postgresql+psycopg://k@h:70000/saga", "port 70000"), ("postgresql+psycopg://k@h:abc/saga", "not a database URL"),
    ("postgresql+psycopg://k@h:5432/", "names no database"), ("postgresql+psycopg2://k@h/saga", "not supported"),
    ("sqlite:////no/such/dir/x.db", "/no/such/dir does not exist"),
])
def test_unusable_database_urls_say_why(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_database_url(url)


def test_only_the_default_data_directory_may_be_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "DEFAULT_DATA_DIR", tmp_path / "var")
    check_database_url(f"sqlite:///{tmp_path / 'var' / 'server.db'}")
    with pytest.raises(ValueError, match="does not exist"):
        check_database_url(f"sqlite:///{tmp_path / 'elsewhere' / 'server.db'}")
    with pytest.raises(ValueError, match="is a directory"):
        check_database_url(f"sqlite:///{tmp_path}")


def test_the_named_settings_file_must_exist_and_be_toml(tmp_path: Path) -> None:
    assert read_config_file({})["port"] == 8700  # the shipped file
    for path, why in ((tmp_path / "gone.toml", "not found"), (tmp_path, "is a directory")):
        with pytest.raises(SettingError, match=rf"SERVER_CONFIG_FILE: .* {why}"):
            read_config_file({"SERVER_CONFIG_FILE": str(path)})
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(SettingError, match="not UTF-8"):
        read_config_file({"SERVER_CONFIG_FILE": str(bad)})


def test_a_server_variable_that_names_no_setting_is_refused() -> None:
    check_environment({"SERVER_PORT": "1", "SERVER_CONFIG_FILE": "x", "KIOSK_ANYTHING": "y", "PATH": "/bin"})
    with pytest.raises(SettingError, match="SERVER_DATABASE_ULR: no such setting"):
        check_environment({"SERVER_DATABASE_ULR": "sqlite://"})
    with pytest.raises(SettingError, match="server_prot"):
        check_environment({"server_prot": "1"})  # the environment source matches names in any case


def test_bad_values_are_described_one_line_each_without_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings(counter_hours_weekday=("9:00", "24:01"), database_url="postgresql://k:hunter22@h:99999/s")
    lines = describe(caught.value)
    assert len(lines) == 2
    assert lines[0].startswith("database_url: port 99999") and "hunter22" not in "".join(lines)
    assert lines[1].startswith("counter_hours_weekday: '24:01' is not a time of day")
    assert load_settings(counter_hours_weekday=("0:00", "24:00")).counter_hours_weekday == ("0:00", "24:00")


@pytest.mark.parametrize("dates", [["02-30"], ["2026-13-01"], ["12/29"], ["2026-1-1"]])
def test_closed_dates_must_be_dates(dates: list[str]) -> None:
    with pytest.raises(ValidationError, match="is not a date"):
        load_settings(closed_dates=dates)
    assert load_settings(closed_dates=["02-29", "2026-05-06"]).closed_dates == ["02-29", "2026-05-06"]


@pytest.mark.parametrize(("name", "value"), [("auth_window_seconds", 0), ("enroll_code_minutes", -1),
                                             ("retention_tickets_days", 0), ("fleet_stale_intervals", 0)])
def test_durations_must_be_positive(name: str, value: int) -> None:
    with pytest.raises(SettingError, match=f"{name}: must be a positive number"):
        load_settings(**{name: value})


def test_a_key_no_setting_has_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings(challenge_ttl_second=60)
    assert describe(caught.value)[0].startswith("challenge_ttl_second: no such setting")


def test_files_are_checked_where_they_are_used_and_named(tmp_path: Path) -> None:
    from server.config import check_readable_file

    settings = load_settings(jlis_root_paths=[str(tmp_path / "gone.pem")], ssl_certfile=str(tmp_path / "c.pem"),
                             ssl_keyfile=str(tmp_path / "k.pem"))  # loading alone (a backup, say) needs neither
    assert settings.jlis_root_paths
    with pytest.raises(SettingError, match=r"jlis_root_paths: .*gone\.pem not found"):
        check_readable_file("jlis_root_paths", settings.jlis_root_paths[0])
    with pytest.raises(SettingError, match=r"ssl_certfile: .* is not a file"):
        check_readable_file("ssl_certfile", str(tmp_path))
    with pytest.raises(SettingError, match="ssl_certfile and ssl_keyfile: set both"):
        load_settings(ssl_certfile=str(tmp_path / "c.pem"))
