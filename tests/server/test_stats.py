"""Statistics on SQLite and PostgreSQL: kiosk outcomes counted once per idempotency key, small counts
suppressed, nothing personal accepted or shown, ticket counts and waiting times that survive retention,
staff-only JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from protocol.signing import signed_headers
from server.app import create_app
from server.applications.models import RegistrationApplication
from server.clock import LIBRARY_TZ
from server.migration.models import MigrationRequest
from server.ops.retention import Periods, apply
from server.patrons.models import Linkage, Patron
from server.renewals.models import RenewalRequest
from server.state import AppState
from server.tickets.models import Ticket

KIOSK_ID, SECRET = "kiosk-demo-01", "test-kiosk-secret-0123456789"


@pytest.fixture
def client(state: AppState) -> TestClient:
    return TestClient(create_app(state=state))


def send_outcome(client: TestClient, event: dict, *, key: str | None = None, signed: bool = True):  # type: ignore[no-untyped-def]
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key or str(uuid.uuid4())}
    if signed:
        headers |= signed_headers(kiosk_id=KIOSK_ID, secret=SECRET, method="POST", path_with_query="/v1/kiosk/outcomes",
                                  body=body)
    return client.post("/v1/kiosk/outcomes", content=body, headers=headers)


def staff_headers(client: TestClient) -> dict[str, str]:
    token = client.post("/v1/staff/sessions", json={"staff_id": "demo-admin", "pin": "2580"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def event(today: date, **fields: object) -> dict:
    return {"service": "migrate", "outcome": "completed", "reason": None, "day": today.isoformat(), "hour": 10,
            **fields}


def test_outcomes_count_once_per_key_and_small_counts_are_suppressed(state: AppState, client: TestClient) -> None:
    today = state.clock.today()
    for _ in range(3):
        assert send_outcome(client, event(today)).status_code == 201
    retry_key = "outcome-retry"
    assert send_outcome(client, event(today, hour=14), key=retry_key).status_code == 201
    assert send_outcome(client, event(today, hour=14), key=retry_key).status_code == 201  # the outbox resending
    for _ in range(4):
        send_outcome(client, event(today, outcome="failed", reason="pin_blocked", hour=11))
    send_outcome(client, event(today, service="expiry", outcome="failed", reason="server_unreachable"))

    report = client.get("/v1/stats", headers=staff_headers(client)).json()
    counts = {(c["service"], c["outcome"]): c["count"] for c in report["outcomes"]}
    assert counts[("migrate", "completed")] == 4  # three, plus one retried (counted once)
    assert counts[("migrate", "failed")] == 4
    assert counts[("migrate", "abandoned")] == 0  # nothing happened: zero is shown
    assert counts[("expiry", "failed")] is None  # one session: below the threshold of 3, not shown
    reasons = {(c["service"], c["reason"]): c["count"] for c in report["reasons"]}
    assert reasons == {("migrate", "pin_blocked"): 4, ("expiry", "server_unreachable"): None}
    hours = {h["key"]: h["sessions"] for h in report["hours"]}
    assert (hours["10"], hours["11"], hours["14"], hours["15"]) == (4, 4, None, 0)
    assert report["totals"]["sessions"] == 9 and report["min_cell"] == 3
    assert report["kiosks"][0]["kiosk_id"] == KIOSK_ID and report["kiosks"][0]["sessions"] == 9
    assert report["kiosks"][0]["abandoned"] == 0 and report["kiosks"][0]["counter"] == 0


def test_outcome_refuses_personal_fields_unsigned_requests_and_far_days(state: AppState, client: TestClient) -> None:
    today = state.clock.today()
    for personal in ({"card_number": "2000000014"}, {"reference": "R-1234"}, {"birth_date": "1980-01-01"}):
        assert send_outcome(client, event(today, **personal)).status_code == 422
    assert send_outcome(client, {**event(today), "minute": 5}).status_code == 422  # no time finer than the hour
    assert send_outcome(client, event(today, reason="Has Spaces")).status_code == 422
    assert send_outcome(client, event(today, hour=24)).status_code == 422
    real_today = state.clock.now().astimezone(LIBRARY_TZ).date()  # kiosks keep the real date, even in tests
    assert send_outcome(client, event(real_today + timedelta(days=2))).status_code == 422  # a clock gone wrong
    assert send_outcome(client, event(real_today - timedelta(days=3651))).status_code == 422  # past retention
    assert send_outcome(client, event(today), signed=False).status_code == 401
    report = client.get("/v1/stats", headers=staff_headers(client)).json()
    assert report["totals"]["sessions"] == 0


def _ticket(state: AppState, *, day: date, seq: int, service: str, hour_utc: int, wait_min: int | None,
            status: str) -> None:
    issued = datetime(day.year, day.month, day.day, hour_utc, 5, tzinfo=UTC)
    with state.sessions() as session, session.begin():
        session.add(Ticket(ticket_id=secrets.token_hex(8), status_token=secrets.token_hex(8), service=service,
                           day=day, seq=seq, number=f"M-{seq:03d}", status=status, kiosk_id=KIOSK_ID,
                           issued_at=issued, called_at=issued + timedelta(minutes=wait_min) if wait_min else None,
                           call_count=1 if wait_min else 0, print_count=1))


def test_ticket_counts_and_waiting_time_survive_retention(state: AppState, client: TestClient) -> None:
    today = state.clock.today()
    old = today - timedelta(days=5)
    # 01:05 UTC is 10:05 in Saga: hour 10 of the library's day.
    for seq, wait in enumerate((4, 6, 8, 10), start=1):
        _ticket(state, day=old, seq=seq, service="mynumber", hour_utc=1, wait_min=wait, status="served")
    _ticket(state, day=old, seq=5, service="mynumber", hour_utc=1, wait_min=None, status="no_show")
    _ticket(state, day=old, seq=1, service="registration", hour_utc=2, wait_min=3, status="served")
    query = {"start": (today - timedelta(days=10)).isoformat(), "end": today.isoformat()}
    headers = staff_headers(client)

    def figures() -> tuple:
        report = client.get("/v1/stats", params=query, headers=headers).json()
        tickets = {t["service"]: t for t in report["tickets"]}
        hours = {h["key"]: h["tickets"] for h in report["hours"]}
        days = {d["key"]: d["tickets"] for d in report["days"]}
        return (tickets["mynumber"]["issued"], tickets["mynumber"]["served"], tickets["mynumber"]["called"],
                tickets["mynumber"]["average_wait_minutes"], tickets["registration"]["issued"],
                tickets["registration"]["average_wait_minutes"], hours["10"], hours["11"], days[old.isoformat()],
                report["totals"]["tickets"], report["totals"]["average_wait_minutes"])

    before = figures()
    # One registration ticket: its count and its wait are not shown; the total of 6 is.
    assert before == (5, 4, 4, 7.0, None, None, 5, None, 6, 6, 6.2)
    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=1, audit=1825, statistics=3650),
                     now=state.clock.now(), today=today)
    assert done["tickets"] == 6 and done["statistics_hours_summarised"] == 2
    assert figures() == before  # the same figures, now from the hourly rollup


def test_statistics_are_for_staff_only_and_export_as_csv(state: AppState, client: TestClient) -> None:
    today = state.clock.today()
    for _ in range(3):
        send_outcome(client, event(today, outcome="counter", reason="no_old_link", hour=9))
    send_outcome(client, event(today, outcome="abandoned", reason="pin_wrong", hour=9))
    assert client.get("/v1/stats").status_code == 401
    assert client.get("/v1/stats.csv").status_code == 401
    assert client.get("/v1/stats", params={"start": "2026-06-10", "end": "2026-06-01"},
                      headers=staff_headers(client)).status_code == 422
    response = client.get("/v1/stats.csv", params={"start": today.isoformat(), "end": today.isoformat()},
                          headers=staff_headers(client))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["section", "service", "outcome", "reason", "kiosk_id", "period", "value"]
    by = {(r["section"], r["service"], r["outcome"], r["reason"], r["period"]): r["value"] for r in rows}
    span = f"{today.isoformat()}/{today.isoformat()}"
    assert by[("kiosk_outcome_reason", "migrate", "counter", "no_old_link", span)] == "3"
    assert by[("kiosk_outcome_reason", "migrate", "abandoned", "pin_wrong", span)] == "<3"
    assert by[("sessions_by_hour", "", "", "", "09")] == "4"
    assert by[("total_sessions", "", "", "", span)] == "4"
    page = client.get("/stats")
    assert page.status_code == 200 and "stats.js" in page.text


def test_requests_left_for_the_counter_are_counted_by_what_became_of_them(state: AppState,
                                                                          client: TestClient) -> None:
    today = state.clock.today()
    # 00:30 on the library's day is 15:30 UTC the day before: it belongs to the library's day.
    # Stored in UTC, as the server does (SQLite keeps the wall time it is given).
    early = datetime(today.year, today.month, today.day, 0, 30, tzinfo=LIBRARY_TZ).astimezone(UTC)
    with state.sessions() as session, session.begin():
        patron = session.scalar(select(Patron).where(Patron.card_number == "2000000014"))
        link = session.scalar(select(Linkage).where(Linkage.patron_id == patron.id))
        for n, status in enumerate(("confirmed",) * 3 + ("rejected",) + ("pending",) * 4):
            session.add(MigrationRequest(reference_code=f"M{n:04d}", patron_id=patron.id, old_linkage_id=link.id,
                                         mykey_id="k", cert_serial="01", cert_issuer="CN=x", kiosk_id=KIOSK_ID,
                                         status=status, created_at=early + timedelta(minutes=n)))
        for n, status in enumerate(("completed",) * 3):
            session.add(RenewalRequest(reference_code=f"R{n:04d}", patron_id=patron.id, kiosk_id=KIOSK_ID,
                                       status=status, created_at=early))
        # The day before, on the library's clock (23:50): outside a one-day range.
        session.add(RenewalRequest(reference_code="R9999", patron_id=patron.id, kiosk_id=KIOSK_ID,
                                   status="cancelled", created_at=early - timedelta(minutes=40)))
        # Registration applications: counted by state (completed ones no longer hold anything personal).
        for n, status in enumerate(("completed",) * 3 + ("waiting", "expired")):
            waiting = status == "waiting"
            session.add(RegistrationApplication(
                reference_code=f"N{n:04d}", kiosk_id=KIOSK_ID, status=status, created_at=early,
                name="佐賀 花子" if waiting else None, address="佐賀県佐賀市" if waiting else None,
                birth_date=date(1990, 1, 1) if waiting else None, sex="2" if waiting else None,
                phone="0952-24-2900" if waiting else None))
    report = client.get("/v1/stats", params={"start": today.isoformat(), "end": today.isoformat()},
                        headers=staff_headers(client)).json()
    follow_ups = {(f["kind"], f["status"]): f["count"] for f in report["follow_ups"]}
    assert follow_ups == {("migration", "pending"): 4, ("migration", "confirmed"): 3, ("migration", "rejected"): None,
                          ("renewal", "pending"): 0, ("renewal", "completed"): 3, ("renewal", "cancelled"): 0,
                          ("registration", "created"): 5, ("registration", "waiting"): None,
                          ("registration", "completed"): 3, ("registration", "withdrawn"): 0,
                          ("registration", "expired"): None}
    text = json.dumps(report, ensure_ascii=False)
    assert "2000000014" not in text and "M0001" not in text  # counts only
    assert "N0001" not in text and "佐賀 花子" not in text and "0952-24-2900" not in text
