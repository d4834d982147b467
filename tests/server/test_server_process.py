"""The server process itself: first start creates and migrates a SQLite file, SIGTERM stops it cleanly;
in production mode it needs public_base_url, and the ticket URL comes from it alone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.security.tls_certs import make_tls_files
from tests.support.ports import free_port
from tests.support.postgres import PostgresServer
from tests.support.server_proc import REPO_ROOT, start_server
from tests.support.tickets import ALWAYS_OPEN, issue, kiosk_session


def test_first_start_creates_the_database_and_sigterm_stops_cleanly(sqlite_dir: Path) -> None:
    path = sqlite_dir / f"fresh-{uuid.uuid4().hex[:8]}.db"
    assert not path.exists()
    server = start_server(database_url=f"sqlite:///{path}")
    try:
        assert requests.get(server.base_url + "/health", timeout=5).json()["database"] == "ok"
        assert requests.get(server.base_url + "/docs", timeout=5).status_code == 200
    finally:
        status = server.stop()
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status names it;
    # a hang would have ended in SIGKILL (-9) from stop().
    assert status in (0, -signal.SIGTERM)
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"patrons", "linkages", "audit_log", "alembic_version"} <= tables


def _production_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment of an installed server (SERVER_MODE=production), on a port of its own choosing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SERVER_")}
    env.update(SERVER_MODE="production", SERVER_DATABASE_URL=f"sqlite:///{database}", SERVER_HOST="127.0.0.1",
               SERVER_PORT="0", **settings)
    return env


def test_production_refuses_to_start_without_public_base_url(sqlite_dir: Path) -> None:
    # Without it a ticket's QR code would carry whatever Host header the kiosk's request came with.
    for unset in ({}, {"SERVER_PUBLIC_BASE_URL": ""}, {"SERVER_PUBLIC_BASE_URL": "queue.library.example"}):
        done = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=120, env=_production_env(sqlite_dir / "production.db", **unset))
        assert done.returncode != 0, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "public_base_url:" in lines[0] and "SERVER_PUBLIC_BASE_URL" in lines[0], lines
    assert "production" in lines[0] or "http(s)" in lines[0]
    assert not (sqlite_dir / "production.db").exists()  # refused before anything was touched


def test_in_production_a_forged_host_does_not_change_the_ticket_url(sqlite_dir: Path) -> None:
    public = "https://queue.library.example"
    server = start_server(database_url=f"sqlite:///{sqlite_dir / ('prod_' + uuid.uuid4().hex[:8] + '.db')}",
                          settings={**ALWAYS_OPEN, "SERVER_MODE": "production", "SERVER_PUBLIC_BASE_URL": public,
                                    "FORWARDED_ALLOW_IPS": "127.0.0.1"})
    try:
        kiosk = kiosk_session(server)
        for forged in ({}, {"Host": "evil.example"}, {"Host": "evil.example", "X-Forwarded-Proto": "http",
                                                      "X-Forwarded-Host": "evil.example"}):
            ticket = issue(kiosk, server, "mynumber", headers=forged)
            assert ticket["status_url"].startswith(public + "/t/"), (forged, ticket["status_url"])
    finally:
        server.stop()


# --- A bad setting stops every way of starting the server with one line naming it (issue 15) -------------------

def run_server(args: list[str], settings: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    """`python -m server ARGS` with only these SERVER_* settings (plus a usable SQLite file); waits for it to end.

    A setting the server wrongly accepted would leave `serve` running: the port is a free one, and the
    timeout (far beyond a refusal's second or two) ends the test with a failure instead of hanging.
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SERVER_")}
    env.update({"SERVER_DATABASE_URL": f"sqlite:///{tmp / 'server.db'}", "SERVER_PORT": str(free_port()),
                "SERVER_DEMO_KIOSK_SECRET": "test-kiosk-" + "0" * 16, **settings})
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def assert_one_line(result: subprocess.CompletedProcess[str], *named: str) -> str:
    """Exit status 2 and exactly one line on standard error, naming the setting; no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("nonsense", "not a database URL"),
        ("", "is empty"),
        ("postgresql://kiosk:pw-not-shown@127.0.0.1:99999/saga", "port 99999"),
        ("mysql://kiosk@127.0.0.1/saga", "mysql is not supported"),
        ("sqlite:///{tmp}/missing/server.db", "/missing does not exist"),
    ],
    ids=["nonsense", "empty", "bad-port", "other-database", "sqlite-dir-missing"],
)
def test_a_bad_database_url_is_one_line(tmp_path: Path, url: str, named: str) -> None:
    url = url.replace("{tmp}", str(tmp_path))
    line = assert_one_line(run_server(["migrate"], {"SERVER_DATABASE_URL": url}, tmp_path), "database_url", named)
    assert "pw-not-shown" not in line
    assert not (tmp_path / "missing").exists()


def test_unreachable_postgresql_and_a_missing_database_are_one_line(tmp_path: Path, pg: PostgresServer) -> None:
    nobody = f"postgresql://kiosk:pw-not-shown@127.0.0.1:{free_port()}/saga"
    line = assert_one_line(run_server(["serve"], {"SERVER_DATABASE_URL": nobody}, tmp_path),
                           "database_url", "Connection refused")
    assert "pw-not-shown" not in line
    missing = pg.url("no_such_database_" + uuid.uuid4().hex[:6])
    assert_one_line(run_server(["migrate"], {"SERVER_DATABASE_URL": missing}, tmp_path),
                    "database_url", "does not exist")
    # The admin commands and the migration unit share the loading and the check.
    assert_one_line(run_server(["admin", "kiosk-list"], {"SERVER_DATABASE_URL": missing}, tmp_path),
                    "database_url", "does not exist")
    assert_one_line(run_server(["admin", "retention"], {"SERVER_DATABASE_URL": nobody}, tmp_path),
                    "database_url", "Connection refused")


def test_counter_hours_out_of_range_are_one_line(tmp_path: Path) -> None:
    assert_one_line(run_server(["serve"], {"SERVER_COUNTER_HOURS_WEEKDAY": '["09:00", "25:00"]'}, tmp_path),
                    "counter_hours_weekday", "'25:00'")
    config = tmp_path / "server.toml"
    config.write_text('counter_hours_weekend = ["9:60", "18:00"]\n', encoding="utf-8")
    assert_one_line(run_server(["serve"], {"SERVER_CONFIG_FILE": str(config)}, tmp_path),
                    "counter_hours_weekend", "'9:60'", str(config))


def test_missing_or_bad_jlis_roots_and_crls_are_one_line(tmp_path: Path) -> None:
    assert_one_line(run_server(["serve"], {"SERVER_JLIS_ROOT_PATHS": f'["{tmp_path / "root.pem"}"]'}, tmp_path),
                    "jlis_root_paths", "not found")
    not_a_certificate = tmp_path / "root.pem"
    not_a_certificate.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    result = run_server(["serve"], {"SERVER_JLIS_ROOT_PATHS": f'["{not_a_certificate}"]'}, tmp_path)
    assert_one_line(result, "jlis_root_paths", "is not a PEM or DER certificate")
    assert not (tmp_path / "server.db").exists(), "a bad file is found before the database is touched"
    result = run_server(["serve"], {"SERVER_CRL_PATHS": f'["{not_a_certificate}"]'}, tmp_path)
    assert_one_line(result, "crl_paths", "is not a PEM or DER CRL")


def test_missing_or_bad_tls_files_are_one_line(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    assert_one_line(run_server(["serve"], {"SERVER_SSL_CERTFILE": str(tmp_path / "gone.pem"),
                                           "SERVER_SSL_KEYFILE": str(tls.key_file)}, tmp_path),
                    "ssl_certfile", "not found")
    assert_one_line(run_server(["serve"], {"SERVER_SSL_CERTFILE": str(tls.cert_file)}, tmp_path),
                    "ssl_certfile and ssl_keyfile", "both")
    # A key that is not the certificate's.
    (tmp_path / "other").mkdir()
    other = make_tls_files(tmp_path / "other", label="other")
    assert_one_line(run_server(["serve"], {"SERVER_SSL_CERTFILE": str(tls.cert_file),
                                           "SERVER_SSL_KEYFILE": str(other.key_file)}, tmp_path),
                    "ssl_certfile and ssl_keyfile", "not a PEM certificate and its key")


def test_a_settings_file_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    assert_one_line(run_server(["serve"], {"SERVER_CONFIG_FILE": str(tmp_path / "nope.toml")}, tmp_path),
                    "SERVER_CONFIG_FILE", "not found")
    assert_one_line(run_server(["migrate"], {"SERVER_CONFIG_FILE": str(tmp_path)}, tmp_path),
                    "SERVER_CONFIG_FILE", "is a directory")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('public_base_url = "https://bibliothèque.example"\n'.encode("latin-1"))
    assert_one_line(run_server(["migrate"], {"SERVER_CONFIG_FILE": str(latin1)}, tmp_path),
                    "SERVER_CONFIG_FILE", "not UTF-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("port = \n", encoding="utf-8")
    assert_one_line(run_server(["migrate"], {"SERVER_CONFIG_FILE": str(broken)}, tmp_path),
                    "SERVER_CONFIG_FILE", "not valid TOML")


def test_a_misspelt_setting_is_one_line(tmp_path: Path) -> None:
    assert_one_line(run_server(["serve"], {"SERVER_CHALENGE_TTL_SECONDS": "60"}, tmp_path),
                    "SERVER_CHALENGE_TTL_SECONDS", "no such setting")
    config = tmp_path / "server.toml"
    config.write_text("challenge_ttl_second = 60\n", encoding="utf-8")
    assert_one_line(run_server(["migrate"], {"SERVER_CONFIG_FILE": str(config)}, tmp_path),
                    "challenge_ttl_second", "no such setting")
    config.write_text('[[counters]]\nid = "1"\nname_ja = "1"\nname_en = "1"\nnmae = "x"\n', encoding="utf-8")
    assert_one_line(run_server(["migrate"], {"SERVER_CONFIG_FILE": str(config)}, tmp_path),
                    "counters[0].nmae", "no such setting")


@pytest.mark.parametrize(("name", "value"), [("SERVER_CHALLENGE_TTL_SECONDS", "0"),
                                             ("SERVER_STAFF_SESSION_MINUTES", "-5"),
                                             ("SERVER_PORT", "99999"),
                                             ("SERVER_LOG_LEVEL", "loud")])
def test_an_impossible_number_or_level_is_one_line(tmp_path: Path, name: str, value: str) -> None:
    assert_one_line(run_server(["serve"], {name: value}, tmp_path), name.removeprefix("SERVER_").lower())
