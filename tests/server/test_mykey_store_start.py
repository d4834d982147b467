"""Server processes starting together on a fresh database each open the MyKey simulator's store.

Each builds its own MyKeySimulator, which creates the store's tables if missing. Unlocked, two processes
both saw no table and both issued CREATE TABLE; on PostgreSQL all but one failed on the catalogue's
unique index and that process did not start. On SQLite, connections opening a new file at once failed
now and then ("database is locked", about 1 start in 30 under load) when switching it to WAL, which SQLite
does not wait for. Threads with their own engines (their own connections, as processes have) meet at a
barrier and create at once, on many fresh databases.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from server.clock import FixedClock
from server.db import make_engine
from server.mykey.simulator import MyKeySimulator, sim_metadata
from tests.server.conftest import BACKENDS, TODAY
from tests.support.postgres import PostgresServer

STARTERS = 6
# Fresh databases per backend: PostgreSQL's race showed every time, SQLite's lock about once in 30.
ROUNDS = {"postgresql": 3, "sqlite": 100}


def _fresh_url(backend: str, pg: PostgresServer, sqlite_dir: Path) -> str:
    name = "mykeysim_" + uuid.uuid4().hex[:10]
    if backend == "postgresql":
        return pg.create_database(name)
    return f"sqlite:///{sqlite_dir / (name + '.db')}"


def _simulator(engine: Engine) -> MyKeySimulator:
    return MyKeySimulator(engine=engine, clock=FixedClock(datetime.now(UTC), pinned_today=TODAY),
                          challenge_ttl_seconds=60)


def _start_together(url: str) -> list[BaseException]:
    """What went wrong when STARTERS open the store on `url` at the same instant; then the store is checked."""
    barrier = threading.Barrier(STARTERS)
    failures: list[BaseException] = []
    engines = [make_engine(url) for _ in range(STARTERS)]

    def start(index: int) -> None:
        barrier.wait()
        try:
            _simulator(engines[index])
        except BaseException as exc:  # every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        if not failures:
            assert set(sim_metadata.tables) <= set(inspect(engines[0]).get_table_names())
            assert len(_simulator(engines[0]).issue_challenge().data) == 32  # and the store they made works
    finally:
        for engine in engines:
            engine.dispose()
    return failures


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_starting_at_once_all_open_the_store(backend: str, pg: PostgresServer, sqlite_dir: Path) -> None:
    failures = [exc for _ in range(ROUNDS[backend]) for exc in _start_together(_fresh_url(backend, pg, sqlite_dir))]
    assert failures == []
