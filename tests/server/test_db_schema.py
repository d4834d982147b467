"""The Alembic schema on both databases: matches the models, and the audit log is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from server import audit
from server.audit import AuditEntry
from server.db import make_engine
from server.state import AppState
from server.tables import Base


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            diff = [d for d in compare_metadata(context, Base.metadata)
                    if not (d[0] == "remove_table" and d[1].name.startswith("mykeysim_"))]
    finally:
        engine.dispose()
    assert diff == []


def test_audit_log_refuses_update_and_delete(state: AppState) -> None:
    with state.sessions() as session, session.begin():
        audit.record(session=session, at=state.clock.now(), actor_type="system", actor_id="test",
                     action="test", outcome="ok")
    for statement in (update(AuditEntry).values(outcome="tampered"), delete(AuditEntry)):
        with state.sessions() as session, pytest.raises(DatabaseError, match="append-only"), session.begin():
            session.execute(statement)
    with state.sessions() as session:
        assert all(e.outcome == "ok" for e in audit.entries(session=session))
