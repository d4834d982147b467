"""A private PostgreSQL server for tests, from Debian's binaries, in a temporary directory.

initdb and postgres refuse to run as root, so as root they run as the `postgres` user
(runuser) in a mkdtemp directory chowned to it (pytest's tmp_path is mode 0700 under
/tmp/pytest-of-root, which that user cannot enter). Trust auth, loopback only, its own
socket directory, and settings that trade durability for speed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "kiosk"


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PostgresServer:
    """A running private server; `url(dbname)` gives SQLAlchemy URLs."""

    directory: Path
    port: int

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.directory / "data"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL of one database (psycopg 3)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database (optionally a copy of a template) and return its URL."""
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        """Stop the server immediately and delete its directory."""
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]),
            capture_output=True, check=False, timeout=30,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres(attempts: int = 3) -> PostgresServer:
    """A running private server; retried because another process may take the chosen port first."""
    for attempt in range(attempts):
        try:
            return _start_once()
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _start_once() -> PostgresServer:
    """initdb + pg_ctl start on a free port; raises with the server log if it does not come up."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL binaries not found in {PG_BIN} (install Debian's postgresql package)")
    directory = Path(tempfile.mkdtemp(prefix="saga-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(directory=directory, port=free_port())
    try:
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(server.data_dir), "-A", "trust", "-U", USER,
                          "-E", "UTF8", "--locale=C", "--no-sync"]),
            capture_output=True, check=True, timeout=120,
        )
        options = (f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(server.data_dir), "-o", options,
                          "-l", str(directory / "log"), "-w", "-t", "60", "start"]),
            capture_output=True, check=True, timeout=90,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                server.execute("SELECT 1")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    except Exception as error:
        log = (directory / "log").read_text(errors="replace") if (directory / "log").exists() else ""
        server.stop()
        detail = getattr(error, "stderr", b"") or b""
        raise RuntimeError(f"private PostgreSQL failed to start: {error}\n{detail!r}\n{log}") from error
    return server
