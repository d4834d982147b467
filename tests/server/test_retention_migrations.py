"""Retention of migration history on SQLite and PostgreSQL, dates injected: ended links and decided
migration requests go after their periods, pending requests and active links never do, a link a kept
request still names stays with it, and the audit events of the migrations stay (the append-only trail)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from protocol import cardnumber
from server.__main__ import main
from server.audit import AuditEntry
from server.migration.models import MigrationRequest
from server.ops.retention import Periods, apply
from server.patrons.linkage import add_old_link, switch_to_mykey
from server.patrons.models import Linkage
from server.patrons.service import create_patron
from server.state import AppState

DAY = timedelta(days=1)


def _patron_with_old_link(state: AppState, payload: int) -> int:
    """A patron and an old-scheme link made long ago; returns the link's id."""
    long_ago = state.clock.now() - 2000 * DAY
    with state.sessions() as session, session.begin():
        patron = create_patron(session=session, card_number=cardnumber.make(700_000_000 + payload),
                               name=f"保持 テスト{payload}", birth_date=long_ago.date() - 9000 * DAY,
                               registered_on=long_ago.date(), now=long_ago)
        return add_old_link(session=session, patron=patron, cert_serial=f"{0xA000 + payload:X}",
                            cert_issuer="CN=test issuer", now=long_ago).id


def _migrate(state: AppState, link_id: int, *, at: datetime) -> None:
    """The link switched to MyKey at `at`, with its audit event, as a completed migration does."""
    with state.sessions() as session, session.begin():
        old = session.get(Linkage, link_id)
        assert old is not None
        switch_to_mykey(session=session, old=old, mykey_id=f"MYKEY{link_id:06d}", now=at)
        session.add(AuditEntry(at=at, actor_type="kiosk", actor_id="kiosk-demo-01", action="migration.complete",
                               card_number=old.patron.card_number, outcome="ok",
                               detail={"cert_serial": old.cert_serial}))


def _request(state: AppState, link_id: int, *, status: str, created: datetime, decided: datetime | None) -> int:
    with state.sessions() as session, session.begin():
        link = session.get(Linkage, link_id)
        assert link is not None
        request = MigrationRequest(reference_code=f"R{link_id:05d}", patron_id=link.patron_id, old_linkage_id=link_id,
                                   mykey_id=f"MYKEY{link_id:06d}", cert_serial=link.cert_serial or "",
                                   cert_issuer=link.cert_issuer or "", kiosk_id="kiosk-demo-01", status=status,
                                   created_at=created, decided_at=decided,
                                   decided_by="demo-admin" if decided else None)
        session.add(request)
        session.flush()
        return request.id


def _ids(state: AppState, model) -> set[int]:  # type: ignore[no-untyped-def]
    with state.sessions() as session:
        return set(session.scalars(select(model.id)))


def test_ended_links_and_decided_requests_go_after_their_periods(state: AppState) -> None:
    now = state.clock.now()
    ended_long_ago = _patron_with_old_link(state, 1)
    _migrate(state, ended_long_ago, at=now - 400 * DAY)
    ended_recently = _patron_with_old_link(state, 2)
    _migrate(state, ended_recently, at=now - 100 * DAY)
    # Held at the kiosk, confirmed at the counter long ago: request and ended link both go.
    confirmed_link = _patron_with_old_link(state, 3)
    confirmed_old = _request(state, confirmed_link, status="confirmed", created=now - 401 * DAY,
                             decided=now - 400 * DAY)
    _migrate(state, confirmed_link, at=now - 400 * DAY)
    # Rejected long ago: the request goes, the old link is still the patron's active one and stays.
    rejected_link = _patron_with_old_link(state, 4)
    rejected_old = _request(state, rejected_link, status="rejected", created=now - 401 * DAY,
                            decided=now - 400 * DAY)
    # A request decided recently keeps the link it names, however long ago that link ended.
    named_link = _patron_with_old_link(state, 5)
    _migrate(state, named_link, at=now - 400 * DAY)
    named_request = _request(state, named_link, status="confirmed", created=now - 101 * DAY, decided=now - 100 * DAY)
    # Pending for over a year: staff have not decided, so it stays.
    pending_link = _patron_with_old_link(state, 6)
    pending = _request(state, pending_link, status="pending", created=now - 400 * DAY, decided=None)
    links_before, audits_before = _ids(state, Linkage), _ids(state, AuditEntry)

    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=3650, ended_links=365,
                                                      decided_migrations=365), now=now, today=state.clock.today())
    assert (done["migration_requests"], done["ended_linkages"]) == (2, 2)
    assert _ids(state, MigrationRequest) == {named_request, pending}
    assert confirmed_old not in _ids(state, MigrationRequest) and rejected_old not in _ids(state, MigrationRequest)
    assert links_before - _ids(state, Linkage) == {ended_long_ago, confirmed_link}
    with state.sessions() as session:
        # Every patron keeps exactly one active link; only history went.
        active = session.scalar(select(func.count()).select_from(Linkage).where(Linkage.active.is_(True)))
        inactive = set(session.scalars(select(Linkage.id).where(Linkage.active.is_(False))))
    assert active == len(_ids(state, Linkage)) - len(inactive)
    assert inactive == {ended_recently, named_link}
    # The migrations' audit events (400 days old, inside the 5-year audit period) are all still there.
    assert audits_before <= _ids(state, AuditEntry)

    # A shorter period reaches the recently ended link; the one a kept request names still stays.
    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=3650, ended_links=90,
                                                      decided_migrations=365), now=now, today=state.clock.today())
    assert (done["migration_requests"], done["ended_linkages"]) == (0, 1)
    assert ended_recently not in _ids(state, Linkage) and named_link in _ids(state, Linkage)


def test_the_command_reads_the_periods_and_refuses_one_below_the_floor(
        state: AppState, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    link = _patron_with_old_link(state, 7)
    _migrate(state, link, at=state.clock.now() - 100 * DAY)
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    monkeypatch.setenv("SERVER_RETENTION_ENDED_LINKS_DAYS", "20")
    assert main(["admin", "retention"]) == 1
    assert "at least 30 days" in capsys.readouterr().err and link in _ids(state, Linkage)
    # The configured year keeps a link ended 100 days ago; 90 days (from the environment) does not.
    monkeypatch.delenv("SERVER_RETENTION_ENDED_LINKS_DAYS")
    assert main(["admin", "retention"]) == 0
    assert "ended_linkages 0" in capsys.readouterr().out and link in _ids(state, Linkage)
    monkeypatch.setenv("SERVER_RETENTION_ENDED_LINKS_DAYS", "90")
    assert main(["admin", "retention"]) == 0
    assert "ended_linkages 1" in capsys.readouterr().out and link not in _ids(state, Linkage)
