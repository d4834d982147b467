"""Fixtures for the server tests: every database test runs on SQLite and on PostgreSQL.

- `pg`: one private PostgreSQL server for the session (started only if a test needs it).
- `db_url`: a fresh, migrated database per test, on each backend (copied from a template).
- `state`: the server's AppState on that database, with a FixedClock and the test PKI.
- `live_server`: the real `python -m server serve --demo` process on each backend.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from server.bootstrap import build_state
from server.clock import FixedClock
from server.config import load_settings
from server.db import upgrade
from server.seed import seed_demo
from server.state import AppState
from server.testpki import load_test_pki
from tests.support.postgres import PostgresServer, start_postgres
from tests.support.server_proc import ServerProcess, start_server

BACKENDS = ["sqlite", "postgresql"]
# The library's "today" in the database tests and in the live servers: fixed, so
# expiry answers are exact whatever day CI runs.
TODAY = date(2026, 6, 15)


@pytest.fixture(scope="session")
def pg() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for the whole session, stopped even if tests fail."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_dir() -> Iterator[Path]:
    """A directory for SQLite files, removed at the end."""
    directory = Path(tempfile.mkdtemp(prefix="saga-sqlite-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def test_pki():  # type: ignore[no-untyped-def]
    """The virtual card's test PKI (roots, CRLs, personas)."""
    return load_test_pki()


@pytest.fixture(scope="session")
def _templates(request: pytest.FixtureRequest, sqlite_dir: Path) -> dict[str, str]:
    """Migrated template databases, made once per backend on first use."""
    return {}


def _template_for(backend: str, request: pytest.FixtureRequest, templates: dict[str, str], sqlite_dir: Path) -> str:
    if backend not in templates:
        if backend == "sqlite":
            path = sqlite_dir / "template.db"
            upgrade(database_url=f"sqlite:///{path}")
            templates[backend] = str(path)
        else:
            pg: PostgresServer = request.getfixturevalue("pg")
            upgrade(database_url=pg.create_database("template_saga"))
            templates[backend] = "template_saga"
    return templates[backend]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, _templates: dict[str, str], sqlite_dir: Path) -> str:
    """A fresh migrated database on each backend."""
    template = _template_for(request.param, request, _templates, sqlite_dir)
    name = "t_" + uuid.uuid4().hex[:12]
    if request.param == "sqlite":
        path = sqlite_dir / f"{name}.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    pg: PostgresServer = request.getfixturevalue("pg")
    return pg.create_database(name, template=template)


@pytest.fixture
def clock() -> FixedClock:
    """Real-looking instant (certificates are valid now), library date pinned to TODAY."""
    return FixedClock(datetime.now(UTC), pinned_today=TODAY)


@pytest.fixture
def state(db_url: str, clock: FixedClock) -> Iterator[AppState]:
    """AppState on a fresh database, demo data seeded, trusting the test PKI."""
    settings = load_settings(
        database_url=db_url,
        use_test_pki=True,
        demo_kiosk_secret="test-kiosk-secret-0123456789",
        demo_staff_pin="2580",
    )
    app_state = build_state(settings, clock=clock)
    seed_demo(state=app_state)
    yield app_state
    app_state.engine.dispose()
    app_state.mykey.engine.dispose()  # type: ignore[attr-defined]


def _live_server(request: pytest.FixtureRequest, backend: str, settings: dict[str, str], name: str,
                 sqlite_dir: Path) -> ServerProcess:
    if backend == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        url = request.getfixturevalue("pg").create_database(name)
    return start_server(database_url=url, settings={"SERVER_TODAY": TODAY.isoformat(), **settings})


@pytest.fixture(scope="session", params=BACKENDS)
def live_server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """The real server process (policy: complete at the kiosk) on each backend."""
    server = _live_server(request, request.param, {}, "live_" + uuid.uuid4().hex[:8], sqlite_dir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def staff_policy_server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """A server with migration_policy=staff and 2-second challenges, on each backend."""
    server = _live_server(
        request, request.param,
        {"SERVER_MIGRATION_POLICY": "staff", "SERVER_CHALLENGE_TTL_SECONDS": "2"},
        "staffpol_" + uuid.uuid4().hex[:8], sqlite_dir,
    )
    try:
        yield server
    finally:
        server.stop()
