"""Server processes starting together on a fresh database each open the MyKey simulator's store.

Each builds its own MyKeySimulator, which creates the store's tables if missing. Unlocked, two processes
both saw no table and both issued CREATE TABLE; on PostgreSQL all but one failed on the catalogue's
unique index and that process did not start. Threads with their own engines (their own connections, as
processes have) meet at a barrier and create at once.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from server.clock import FixedClock
from server.db import make_engine
from server.mykey.simulator import MyKeySimulator, sim_metadata
from tests.server.conftest import BACKENDS, TODAY
from tests.support.postgres import PostgresServer

STARTERS = 6


def _fresh_url(backend: str, pg: PostgresServer, sqlite_dir: Path) -> str:
    name = "mykeysim_" + uuid.uuid4().hex[:10]
    if backend == "postgresql":
        return pg.create_database(name)
    return f"sqlite:///{sqlite_dir / (name + '.db')}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("attempt", range(3))
def test_processes_starting_at_once_all_open_the_store(backend: str, attempt: int, pg: PostgresServer,
                                                       sqlite_dir: Path) -> None:
    url = _fresh_url(backend, pg, sqlite_dir)
    barrier = threading.Barrier(STARTERS)
    failures: list[BaseException] = []
    engines = [make_engine(url) for _ in range(STARTERS)]

    def start(index: int) -> None:
        barrier.wait()
        try:
            MyKeySimulator(engine=engines[index], clock=FixedClock(datetime.now(UTC), pinned_today=TODAY),
                           challenge_ttl_seconds=60)
        except BaseException as exc:  # every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert set(sim_metadata.tables) <= set(inspect(engines[0]).get_table_names())
        # And the store they made works.
        simulator = MyKeySimulator(engine=engines[0], clock=FixedClock(datetime.now(UTC), pinned_today=TODAY),
                                   challenge_ttl_seconds=60)
        assert len(simulator.issue_challenge().data) == 32
    finally:
        for engine in engines:
            engine.dispose()
