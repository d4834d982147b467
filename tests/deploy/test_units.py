"""The systemd units of the kiosk and the server pass `systemd-analyze verify`, and say what they must.

systemd is not PID 1 in CI's container, but the analyzer works offline with --root: the units are
verified in a temporary root holding the system's own unit files (for the targets they refer to) and
stand-ins for the programs they start (Xorg, the release's session script and python), which a real kiosk or
server has and CI does not.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server_proc import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
UNITS = {
    "saga-kiosk.service": DEPLOY / "kiosk" / "saga-kiosk.service",
    "saga-kiosk-x.service": DEPLOY / "kiosk" / "saga-kiosk-x.service",
    "saga-server@.service": DEPLOY / "server" / "saga-server@.service",
    "saga-server-migrate.service": DEPLOY / "server" / "saga-server-migrate.service",
    "saga-retention.service": DEPLOY / "server" / "saga-retention.service",
    "saga-retention.timer": DEPLOY / "server" / "saga-retention.timer",
    "saga-backup.service": DEPLOY / "server" / "saga-backup.service",
    "saga-backup.timer": DEPLOY / "server" / "saga-backup.timer",
}
PROGRAMS = ("usr/bin/Xorg", "usr/bin/find", "bin/sh", "opt/saga-kiosk/current/deploy/kiosk/kiosk-session.sh",
            "opt/saga-server/current/venv/bin/python")


@pytest.fixture(scope="module")
def analyzer() -> str:
    """systemd-analyze, installed from Debian's systemd package when missing."""
    if shutil.which("systemd-analyze") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "systemd"], check=True,
                       capture_output=True, timeout=600)
    found = shutil.which("systemd-analyze")
    assert found
    return found


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A temporary root with the system's units, the programs as stand-ins, and ours."""
    shutil.copytree("/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    for program in PROGRAMS:
        path = tmp_path / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    units = tmp_path / "etc/systemd/system"
    units.mkdir(parents=True)
    for name, source in UNITS.items():
        shutil.copy(source, units / name)
    yield tmp_path


def _verify(analyzer: str, root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([analyzer, "verify", "--man=no", f"--root={root}", unit], capture_output=True, text=True,
                          timeout=60)


def test_units_pass_systemd_analyze_verify(analyzer: str, root: Path) -> None:
    for unit in ("saga-kiosk.service", "saga-kiosk-x.service", "saga-server@8701.service",
                 "saga-server-migrate.service", "saga-retention.service", "saga-retention.timer",
                 "saga-backup.service", "saga-backup.timer"):
        done = _verify(analyzer, root, unit)
        assert done.returncode == 0 and not done.stderr.strip(), f"{unit}: {done.stderr}"


def test_the_verifier_catches_a_broken_unit(analyzer: str, root: Path) -> None:
    unit = root / "etc/systemd/system/saga-kiosk.service"
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes")
                    .replace("deploy/kiosk/kiosk-session.sh", "deploy/kiosk/no-such-session.sh"))
    done = _verify(analyzer, root, "saga-kiosk.service")
    assert done.returncode != 0 and "no-such-session" in done.stderr


def _unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_kiosk_unit_and_session_are_locked_down() -> None:
    unit = _unit(UNITS["saga-kiosk.service"])["Service"]
    assert (unit["User"], unit["Restart"]) == ("kiosk", "on-failure")
    assert "KIOSK_TEST_DRIVER_PORT" in unit["UnsetEnvironment"]
    environment = (DEPLOY / "kiosk" / "saga-kiosk.service").read_text()
    assert "KCFG_KIVY_KEYBOARD_MODE=system" in environment and "KCFG_KIVY_EXIT_ON_ESCAPE=0" in environment
    assert unit["ExecStart"].endswith("deploy/kiosk/kiosk-session.sh")  # the app's status is the unit's
    kiosk = _unit(UNITS["saga-kiosk.service"])["Unit"]
    assert "saga-kiosk-x.service" in kiosk["BindsTo"] and "saga-kiosk-x.service" in kiosk["After"]
    x = _unit(UNITS["saga-kiosk-x.service"])["Service"]
    assert x["User"] == "kiosk" and x["PAMName"] == "login"
    assert all(flag in x["ExecStart"] for flag in ("-nolisten tcp", "-dpms", "-s 0", "-auth ", "vt7"))
    session = (DEPLOY / "kiosk" / "kiosk-session.sh").read_text()
    assert "xset s off" in session and "xset -dpms" in session and "unset KIOSK_TEST_DRIVER_PORT" in session
    # No window manager is started: nothing draws decorations or offers a way out.
    assert not any(wm in session for wm in ("openbox", "matchbox", "xfwm", "twm", "onboard", "florence"))


def test_server_units_run_migrations_first_and_trust_only_the_local_proxy() -> None:
    server = _unit(UNITS["saga-server@.service"])
    assert "saga-server-migrate.service" in server["Unit"]["Requires"]
    assert "saga-server-migrate.service" in server["Unit"]["After"]
    env = (DEPLOY / "server" / "saga-server@.service").read_text()
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in env and "SERVER_PORT=%i" in env and "SERVER_HOST=127.0.0.1" in env
    assert "Environment=SERVER_MODE=production" in env  # an installed server never takes the URL from Host
    assert _unit(UNITS["saga-server-migrate.service"])["Service"]["ExecStart"].endswith("-m server migrate")
    assert _unit(UNITS["saga-retention.service"])["Service"]["ExecStart"].endswith("admin retention")
    # Local backups are pruned after 14 days, encrypted ones (saga-*.dump.age) as well.
    backup = _unit(UNITS["saga-backup.service"])["Service"]
    assert "admin backup /var/backups/saga/saga-" in backup["ExecStart"]
    assert "-name 'saga-*.dump*' -mtime +14 -delete" in backup["ExecStartPost"]
    nginx = (DEPLOY / "server" / "nginx-saga.conf").read_text()
    for line in ("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Forwarded-Proto $scheme;",
                 "ssl_certificate ", "listen 443 ssl", "server 127.0.0.1:8701", "server 127.0.0.1:8702",
                 "deny all;", "proxy_hide_header X-Frame-Options;", "add_header X-Frame-Options \"DENY\" always;"):
        assert line in nginx


def test_server_env_example_gives_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    from sqlalchemy.engine import make_url

    from server.config import load_settings

    # systemd's EnvironmentFile reads quotes like a shell: shlex gives the values the service sees.
    for line in (DEPLOY / "server" / "server.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key, shlex.split(value)[0])
    settings = load_settings()
    assert len(settings.jlis_root_paths) == 2 and settings.crl_paths == ["/etc/saga-server/jlis/auth-ca.crl"]
    url = make_url(settings.database_url)
    assert (url.drivername, url.username, url.database, url.query["host"]) == (
        "postgresql+psycopg", "saga", "saga", "/var/run/postgresql")
    assert settings.min_kiosk_version and settings.demo is False
    assert settings.mode == "production" and settings.public_base_url.startswith("https://")
