"""Registration applications (issue 19) against the real server process over HTTP, on SQLite and PostgreSQL.

A kiosk applies with the My Number card's signature over a fresh challenge and the 券面事項入力補助AP's facts plus
a phone number and/or e-mail; a request sent twice (same Idempotency-Key) is one application; the counter lists
it and completes it in one confirmation, after which the database holds nothing personal of it; retention
forgets one left waiting past its period (the server's clock injected); audit rows and statistics carry no
personal data; kiosks get the IDs the counter accepts.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from kiosk.api import HmacAuth, KioskApiClient
from protocol import cardnumber
from server.__main__ import main as server_main
from server.applications import contact
from server.applications.models import PERSONAL, RegistrationApplication
from server.audit import AuditEntry
from server.bootstrap import build_state
from server.clock import LIBRARY_TZ, FixedClock
from server.config import load_settings
from server.db import make_engine
from server.errors import ApiError
from server.ops.retention import Periods, apply
from tests.server.conftest import BACKENDS
from tests.server.test_api_migrations import sign
from tests.support.server_proc import ServerProcess, start_server

APPLY = "/v1/registration/applications"
STAFF_LIST = "/v1/staff/registration-applications"
NEW_CARD = cardnumber.make(3000000)  # the library card the counter issues
# Personas whose 利用者証明用 certificate is linked to no library card in the demo data.
UNLINKED = ("no_old_link", "face_auth", "next_generation")


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """A server of its own (its applications stay out of the shared one), counting every statistic."""
    name = "apps_" + uuid.uuid4().hex[:8]
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        url = request.getfixturevalue("pg").create_database(name)
    process = start_server(database_url=url, settings={"SERVER_STATS_MIN_CELL": "1"})
    yield process
    process.stop()


def kiosk(server: ServerProcess) -> requests.Session:
    session = requests.Session()
    session.auth = HmacAuth(server.kiosk_id, server.kiosk_secret)
    return session


def staff(server: ServerProcess) -> requests.Session:
    login = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=30)
    assert login.status_code == 201, login.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return session


def application(server: ServerProcess, persona, *, key=None, **change) -> dict:  # type: ignore[no-untyped-def]
    """What the kiosk sends after both PINs: the card's signature over a fresh challenge, its facts, a phone."""
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=30)
    try:
        challenge = client.migration_challenge()
    finally:
        client.close()
    body = {"challenge_id": challenge.challenge_id, "certificate": base64.b64encode(persona.cert_der).decode(),
            "signature": base64.b64encode(sign(key or persona.private_key, challenge.challenge)).decode(),
            "name": persona.name, "address": persona.address, "birth_date": persona.birth_date.isoformat(),
            "sex": persona.sex, "phone": "0952-24-2900"}
    body.update(change)
    return {k: v for k, v in body.items() if v is not None}


def send(server: ServerProcess, body: dict, key: str | None = None) -> requests.Response:
    return kiosk(server).post(server.base_url + APPLY, json=body,
                              headers={"Idempotency-Key": key or str(uuid.uuid4())}, timeout=30)


def refused(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.json()["error"]["code"] == code, response.text


def rows(server: ServerProcess) -> list[RegistrationApplication]:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(RegistrationApplication).order_by(RegistrationApplication.id)))
    finally:
        engine.dispose()


def audit_of(server: ServerProcess) -> list[AuditEntry]:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(AuditEntry).where(AuditEntry.action.like("registration.%"))
                                           .order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def personal_values(persona, body: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """Every personal fact an application carried, as text that must not appear where nothing personal is."""
    values = [persona.name, persona.address, persona.birth_date.isoformat(), persona.birth_date.strftime("%Y%m%d"),
              *(body[k] for k in ("phone", "email", "name_kana") if k in body)]
    return [v for v in values if v]


def assert_no_personal_data(text: str, persona, body: dict) -> None:  # type: ignore[no-untyped-def]
    for value in personal_values(persona, body):
        assert value not in text, value
    for part in persona.name.split():
        assert part not in text, part


def waiting(server: ServerProcess) -> list[dict]:
    listed = staff(server).get(server.base_url + STAFF_LIST, timeout=30)
    assert listed.status_code == 200, listed.text
    return listed.json()


def withdraw_all(server: ServerProcess) -> None:
    session = staff(server)
    for item in waiting(server):
        done = session.post(f"{server.base_url}{STAFF_LIST}/{item['reference_code']}/withdraw", timeout=30)
        assert done.status_code == 200, done.text


def test_an_application_sent_twice_is_one_and_the_counter_completes_it_in_one_step(server: ServerProcess,
                                                                                   test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["no_old_link"]
    body = application(server, persona, email="Sakura.Matsuo@Example.JP", name_kana="マツオ サクラ")
    key = str(uuid.uuid4())
    first = send(server, body, key)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["status"] == "waiting" and receipt["reference_code"].startswith("N")
    assert_no_personal_data(first.text, persona, body)  # the answer stored for retries holds nothing personal
    # The kiosk did not hear the answer and sends the same request again: the same application, not a second.
    again = send(server, body, key)
    assert (again.status_code, again.json()) == (201, receipt)
    (listed,) = waiting(server)
    assert listed == {"reference_code": receipt["reference_code"], "kiosk_id": server.kiosk_id,
                      "created_at": listed["created_at"], "status": "waiting", "name": persona.name,
                      "name_kana": "マツオ サクラ", "address": persona.address,
                      "birth_date": persona.birth_date.isoformat(), "sex": persona.sex, "phone": "0952-24-2900",
                      "email": "Sakura.Matsuo@example.jp"}
    # Another application for the same card while one waits (a new challenge, a new key): refused.
    refused(send(server, application(server, persona)), 409, "registration_pending")
    assert len(rows(server)) == 1

    counter = staff(server)
    done = counter.post(f"{server.base_url}{STAFF_LIST}/{receipt['reference_code'].lower()}/complete",
                        json={"library_card_number": NEW_CARD}, timeout=30)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed" and done.json()["library_card_number"] == NEW_CARD
    assert waiting(server) == []
    # What is left in the database: times, kiosk, state; no personal column holds anything.
    (row,) = rows(server)
    assert (row.reference_code, row.status, row.kiosk_id, row.decided_by) == (
        receipt["reference_code"], "completed", server.kiosk_id, server.staff_id)
    assert row.created_at is not None and row.decided_at is not None
    assert all(getattr(row, column) is None for column in PERSONAL)
    # Decided once: a second click, and unknown codes, are refused.
    refused(counter.post(f"{server.base_url}{STAFF_LIST}/{receipt['reference_code']}/complete", json={},
                         timeout=30),
            409, "application_not_waiting")
    refused(counter.post(f"{server.base_url}{STAFF_LIST}/N00000/withdraw", timeout=30), 404, "unknown_application")
    # The audit trail: who and which reference, the new card's number; no personal fact.
    entries = audit_of(server)
    assert [(e.action, e.outcome) for e in entries] == [
        ("registration.apply", "ok"), ("registration.apply", "registration_pending"),
        ("registration.complete", "ok")]
    assert entries[-1].card_number == NEW_CARD and entries[-1].actor_id == server.staff_id
    assert_no_personal_data(json.dumps([[e.actor_id, e.card_number, e.detail] for e in entries]), persona, body)
    # The card may apply again (its first application is decided).
    again = send(server, application(server, persona))
    assert again.status_code == 201, again.text
    withdraw_all(server)
    assert all(getattr(r, c) is None for r in rows(server) for c in PERSONAL)


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"phone": "0952-24-290"}, 422, "invalid_phone"),  # nine digits
    ({"phone": "090-1234-567"}, 422, "invalid_phone"),  # a mobile number has eleven
    ({"phone": "0952--24-2900"}, 422, "invalid_phone"),
    ({"phone": "+81-952-24-2900"}, 422, "invalid_phone"),
    ({"phone": "0952(24)2900"}, 422, "invalid_phone"),
    ({"phone": None, "email": "sakura@"}, 422, "invalid_email"),
    ({"phone": None, "email": "sakura@example"}, 422, "invalid_email"),
    ({"phone": None, "email": "さくら@example.jp"}, 422, "invalid_email"),
    ({"phone": None}, 422, "registration_contact_required"),
    ({"phone": "0952-24-2900" + "0" * 30}, 422, "invalid_request"),  # longer than any field allows
    ({"name": "x" * 201}, 422, "invalid_request"),
    ({"address": "佐賀\n県"}, 422, "invalid_request"),
    ({"sex": "3"}, 422, "invalid_request"),
    ({"birth_date": "2999-01-01"}, 422, "invalid_request"),
    ({"my_number": "123456789012"}, 422, "invalid_request"),  # nothing else is taken, the 個人番号 least of all
])
def test_a_wrong_application_is_refused_with_its_own_code_and_stores_nothing(
        server: ServerProcess, test_pki, change: dict, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    before = len(rows(server))
    refused(send(server, application(server, test_pki.personas["face_auth"], **change)), status, code)
    assert len(rows(server)) == before and waiting(server) == []


def test_the_card_must_prove_itself_and_must_not_already_have_a_library_card(server: ServerProcess,
                                                                              test_pki) -> None:  # type: ignore[no-untyped-def]
    before = len(rows(server))
    other = test_pki.personas["no_old_link"].private_key
    refused(send(server, application(server, test_pki.personas["next_generation"], key=other)), 422, "bad_signature")
    refused(send(server, application(server, test_pki.personas["revoked_cert"])), 422, "certificate_revoked")
    # The same challenge twice: the second is refused (single use).
    body = application(server, test_pki.personas["next_generation"])
    assert send(server, body).status_code == 201
    refused(send(server, body), 422, "challenge_used")
    # A card linked to a library card (old scheme): its holder has one already.
    refused(send(server, application(server, test_pki.personas["normal"])), 409, "registration_already_patron")
    assert len(rows(server)) == before + 1
    withdraw_all(server)


def test_full_width_contact_details_are_stored_in_ascii(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    body = application(server, test_pki.personas["face_auth"], phone="０９０－１２３４－５６７８",
                       email="ｆｕｍｉ＠ｅｘａｍｐｌｅ．ｊｐ")
    assert send(server, body).status_code == 201
    (listed,) = waiting(server)
    assert (listed["phone"], listed["email"]) == ("090-1234-5678", "fumi@example.jp")
    withdraw_all(server)


def test_kiosks_get_the_ids_the_counter_accepts(server: ServerProcess) -> None:
    answer = kiosk(server).get(server.base_url + "/v1/registration/accepted-ids", timeout=30)
    assert answer.status_code == 200, answer.text
    accepted = answer.json()
    ids = [item["id"] for item in accepted["ids"]]
    assert {"driving_licence", "health_insurance", "passport", "my_number_card", "student_id"} <= set(ids)
    assert [item["id"] for item in accepted["not_accepted"]] == ["notification_card"]
    assert "通知カード" in accepted["not_accepted"][0]["name_ja"]
    assert [item["id"] for item in accepted["address_proofs"]] == ["utility_bill"]
    assert next(item for item in accepted["ids"] if item["id"] == "driving_licence")["name_ja"] == "運転免許証"
    # Kiosks only: an unsigned request is refused.
    refused(requests.get(server.base_url + "/v1/registration/accepted-ids", timeout=30), 401, "unauthenticated")


def _stats(server: ServerProcess, day: date) -> dict[str, int | None]:
    report = staff(server).get(server.base_url + "/v1/stats",
                               params={"start": day.isoformat(), "end": day.isoformat()}, timeout=30)
    assert report.status_code == 200, report.text
    return {f["status"]: f["count"] for f in report.json()["follow_ups"] if f["kind"] == "registration"}


def test_retention_forgets_a_waiting_application_and_statistics_count_without_personal_data(
        server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    withdraw_all(server)
    kept = {r.reference_code for r in rows(server)}
    persona, other = test_pki.personas["no_old_link"], test_pki.personas["face_auth"]
    forgotten_body = application(server, persona, email="sakura@example.jp")
    forgotten = send(server, forgotten_body).json()
    completed = send(server, application(server, other)).json()
    done = staff(server).post(f"{server.base_url}{STAFF_LIST}/{completed['reference_code']}/complete", json={},
                              timeout=30)
    assert done.status_code == 200 and done.json()["library_card_number"] is None
    day = datetime.fromisoformat(forgotten["created_at"]).astimezone(LIBRARY_TZ).date()
    before = _stats(server, day)

    # Retention as the daily job runs it, on the server's database with its clock 29 days on: kept; 31: forgotten.
    settings = load_settings(database_url=server.database_url, use_test_pki=True)
    for days, expired in ((29, 0), (31, 1)):
        clock = FixedClock(datetime.now(UTC) + timedelta(days=days))
        state = build_state(settings, clock=clock)
        try:
            with state.sessions() as session, session.begin():
                result = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=3650),
                               now=clock.now(), today=clock.today())
        finally:
            state.engine.dispose()
            state.mykey.engine.dispose()  # type: ignore[attr-defined]
        assert result["registration_applications_expired"] == expired
    assert waiting(server) == []
    by_code = {r.reference_code: r for r in rows(server)}
    assert by_code[forgotten["reference_code"]].status == "expired"
    assert by_code[forgotten["reference_code"]].decided_by == "retention"
    assert all(getattr(by_code[forgotten["reference_code"]], c) is None for c in PERSONAL)
    (expire,) = [e for e in audit_of(server) if e.action == "registration.expire"]
    assert (expire.actor_type, expire.card_number, expire.detail) == (
        "system", None, {"reference": forgotten["reference_code"]})
    assert_no_personal_data(json.dumps([e.detail for e in audit_of(server)]), persona, forgotten_body)

    # Statistics: counts by state, nothing else.
    after = _stats(server, day)
    assert after["created"] == before["created"]
    assert (after["expired"], after["waiting"]) == (before["expired"] + 1, before["waiting"] - 1)
    assert after["completed"] == before["completed"] and set(after) == {
        "created", "waiting", "completed", "withdrawn", "expired"}
    report = staff(server).get(server.base_url + "/v1/stats.csv",
                               params={"start": day.isoformat(), "end": day.isoformat()}, timeout=30).text
    assert f"registration_requests,,expired,,,{day.isoformat()}/{day.isoformat()},{after['expired']}" in report
    assert_no_personal_data(report, persona, forgotten_body)
    assert forgotten["reference_code"] not in report

    # The rows left go with the statistics, after their own period.
    clock = FixedClock(datetime.now(UTC) + timedelta(days=3))
    state = build_state(settings, clock=clock)
    try:
        with state.sessions() as session, session.begin():
            result = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=1),
                           now=clock.now(), today=clock.today())
    finally:
        state.engine.dispose()
        state.mykey.engine.dispose()  # type: ignore[attr-defined]
    assert result["registration_applications"] >= 2
    assert not {forgotten["reference_code"], completed["reference_code"]} & {r.reference_code for r in rows(server)}
    assert not kept & {r.reference_code for r in rows(server)}


def test_the_retention_period_is_a_setting_with_an_environment_override(
        state, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert load_settings().retention_registration_applications_days == 30  # config/server.toml
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    with state.sessions() as session, session.begin():
        session.add(RegistrationApplication(reference_code="NAAAAA", kiosk_id="k", status="waiting",
                                            created_at=ten_days_ago, name="佐賀 花子", address="佐賀県",
                                            birth_date=date(1990, 1, 1), sex="2", phone="0952-24-2900"))
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    assert server_main(["admin", "retention"]) == 0  # 30 days by default: kept
    assert "registration_applications_expired 0" in capsys.readouterr().out
    monkeypatch.setenv("SERVER_RETENTION_REGISTRATION_APPLICATIONS_DAYS", "7")
    assert server_main(["admin", "retention"]) == 0
    assert "registration_applications_expired 1" in capsys.readouterr().out
    with state.sessions() as session:
        row = session.scalar(select(RegistrationApplication))
        assert row is not None and row.status == "expired" and row.name is None and row.phone is None


def test_the_accepted_ids_are_a_setting_with_an_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_REGISTRATION_IDS", json.dumps([
        {"id": "residence_card", "name_ja": "在留カード", "name_en": "Residence card"},
        {"id": "notification_card", "name_ja": "通知カード", "name_en": "Notification card", "kind": "not_accepted"}]))
    ids = load_settings().registration_ids
    assert [(i.id, i.kind) for i in ids] == [("residence_card", "id"), ("notification_card", "not_accepted")]


@pytest.mark.parametrize(("typed", "stored"), [
    ("0952-24-2900", "0952-24-2900"), ("0952242900", "0952242900"), ("090-1234-5678", "090-1234-5678"),
    ("050-1234-5678", "050-1234-5678"), ("0120-123-456", "0120-123-456"), ("0800-123-4567", "0800-123-4567"),
    ("03-1234-5678", "03-1234-5678"), (" ０９５２－２４－２９００ ", "0952-24-2900"),
])
def test_japanese_phone_numbers_are_accepted(typed: str, stored: str) -> None:
    assert contact.phone_number(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "0952-24-29000", "090-1234-56789", "090-123-4567", "00-1234-5678", "1952-24-2900", "-0952242900",
    "0952242900-", "0-9-5-2242900", "0952 24 2900", "0952\n242900", "٠٩٥٢٢٤٢٩٠٠",
])
def test_other_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ApiError) as info:
        contact.phone_number(typed)
    assert info.value.code == "invalid_phone"


@pytest.mark.parametrize("typed", [
    "a@b", "a@@b.jp", "a..b@example.jp", ".a@example.jp", "a@-example.jp", "a@example.j", "a@example.123",
    "a b@example.jp", "a@example..jp", "x" * 65 + "@example.jp", "a@" + "b" * 250 + ".jp", "a@exa mple.jp",
])
def test_other_email_addresses_are_refused(typed: str) -> None:
    with pytest.raises(ApiError) as info:
        contact.email_address(typed)
    assert info.value.code == "invalid_email"
