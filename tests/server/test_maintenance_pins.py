"""Kiosk maintenance PINs on SQLite and PostgreSQL: the migration from a database of before them (its
kiosks get no staff PIN hash, and nothing until an admin sets their PINs), and the demo seed's PIN."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from server.db import make_engine, upgrade
from server.fleet.maintenance import credentials_for, set_pin
from server.state import AppState
from tests.server.conftest import BACKENDS

BEFORE = "20261125_statistics"  # the last revision before kiosk_maintenance_pins


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_database_of_before_upgrades_and_its_kiosks_get_no_staff_pin_hash(
        backend: str, request: pytest.FixtureRequest, sqlite_dir: Path) -> None:
    name = "mp_" + uuid.uuid4().hex[:10]
    url = f"sqlite:///{sqlite_dir / (name + '.db')}" if backend == "sqlite" else \
        request.getfixturevalue("pg").create_database(name)
    upgrade(database_url=url, revision=BEFORE)
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        # What an existing installation holds: a kiosk and a staff account (plain SQL: the columns of then).
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO kiosks (kiosk_id, name, secret, active, created_at) "
                                    "VALUES ('k-old', 'old', 'secret-0123456789abcdef', :t, :now)"),
                               {"t": True, "now": now})
            connection.execute(text("INSERT INTO staff_members (staff_id, name, role, pin_hash, active, created_at) "
                                    "VALUES ('admin-old', 'old', 'admin', :h, :t, :now)"),
                               {"h": PasswordHasher().hash("2580"), "t": True, "now": now})
        assert "kiosk_maintenance_pins" not in inspect(engine).get_table_names()
        upgrade(database_url=url)
        assert "kiosk_maintenance_pins" in inspect(engine).get_table_names()
        with Session(engine) as session, session.begin():
            # Until an admin sets a PIN, the kiosk gets nothing (its refresh empties the staff hashes it cached).
            assert credentials_for(session=session, kiosk_id="k-old") == []
            with pytest.raises(ValueError, match="staff PIN"):
                set_pin(session=session, kiosk_id="k-old", staff_id="admin-old", pin="2580", now=now)
            set_pin(session=session, kiosk_id="k-old", staff_id="admin-old", pin="1470", now=now)
            (row,) = credentials_for(session=session, kiosk_id="k-old")
            assert (row.staff_id, row.role) == ("admin-old", "admin")
            assert PasswordHasher().verify(row.pin_hash, "1470") and "1470" not in row.pin_hash
    finally:
        engine.dispose()


def test_the_demo_seed_sets_a_maintenance_pin_and_refuses_the_staff_pin_as_one(state: AppState) -> None:
    from server.fleet.maintenance import clear_pin
    from server.seed import seed_demo

    kiosk_id, staff_id = state.settings.demo_kiosk_id, state.settings.demo_staff_id
    with state.sessions() as session, session.begin():
        (row,) = credentials_for(session=session, kiosk_id=kiosk_id)  # config/server.toml's demo value
        assert row.staff_id == staff_id and PasswordHasher().verify(row.pin_hash, "1470")
        assert clear_pin(session=session, kiosk_id=kiosk_id, staff_id=staff_id)
    same = state.settings.model_copy(update={"demo_maintenance_pin": state.settings.demo_staff_pin})
    with pytest.raises(ValueError, match="staff PIN"):
        seed_demo(state=dataclasses.replace(state, settings=same))
