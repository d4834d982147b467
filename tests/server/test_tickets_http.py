"""Queue tickets over real HTTP against the real server process, on SQLite and on PostgreSQL:
the kiosk client's ticket methods, idempotent retries, the counter API, alerts, the closed
counter, and many kiosks (threads and processes) issuing at once through two server processes."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, func, select

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError
from server.tickets.models import Ticket
from tests.support.kiosks import enroll_kiosk
from tests.support.postgres import PostgresServer
from tests.support.server_proc import ServerProcess
from tests.support.tickets import issue, issue_concurrently, kiosk_session, staff_headers, ticket_servers


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(request: pytest.FixtureRequest, sqlite_dir) -> Iterator[list[ServerProcess]]:  # type: ignore[no-untyped-def]
    """Two server processes on one fresh database (as two workers), counter always open."""
    name = "tickets_" + uuid.uuid4().hex[:8]
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        pg: PostgresServer = request.getfixturevalue("pg")
        url = pg.create_database(name)
    # The host zone is not the library's: numbering and hours must not care.
    with ticket_servers(url, count=2, settings={"TZ": "America/Los_Angeles"}) as pair:
        yield pair


@pytest.fixture
def client(servers: list[ServerProcess]) -> Iterator[KioskApiClient]:
    server = servers[0]
    kiosk = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=30)
    yield kiosk
    kiosk.close()


def numbers_of(service_prefix: str, tickets: list[tuple[str, str]]) -> list[int]:
    return sorted(int(number.split("-")[1]) for _, number in tickets if number.startswith(service_prefix + "-"))


def test_services_and_an_idempotent_ticket(client: KioskApiClient) -> None:
    listing = client.ticket_services()
    assert listing.open and listing.opens_at is None
    assert [(s.service, s.prefix) for s in listing.services] == [("registration", "R"), ("mynumber", "M"),
                                                                ("other", "S")]
    assert listing.services[1].name_ja == "マイナンバーカードの連携"
    key = str(uuid.uuid4())
    first = client.issue_ticket("registration", idempotency_key=key, reason="renewal")
    again = client.issue_ticket("registration", idempotency_key=key, reason="renewal")
    other = client.issue_ticket("registration", idempotency_key=str(uuid.uuid4()))
    assert again == first
    assert first.number.startswith("R-") and int(other.number[2:]) == int(first.number[2:]) + 1
    assert first.issued_at.utcoffset() is not None  # aware
    assert (first.service_ja, first.service_en) == ("利用者カードの登録・更新", "Library card registration / renewal")
    assert other.people_ahead == first.people_ahead + 1
    token = first.status_url.rsplit("/t/", 1)[1]
    assert len(token) >= 16 and first.ticket_id not in first.status_url
    with pytest.raises(ApiError) as info:
        client.issue_ticket("mynumber", idempotency_key=key)  # same key, different request
    assert info.value.code == "idempotency_key_reused"
    with pytest.raises(ApiError) as info:
        client.issue_ticket("parking", idempotency_key=str(uuid.uuid4()))
    assert info.value.code == "unknown_service"


def test_printed_and_reprinted_count_once_per_key(client: KioskApiClient) -> None:
    ticket = client.issue_ticket("other", idempotency_key=str(uuid.uuid4()))
    key = str(uuid.uuid4())
    assert client.mark_ticket_printed(ticket.ticket_id, idempotency_key=key).print_count == 1
    assert client.mark_ticket_printed(ticket.ticket_id, idempotency_key=key).print_count == 1
    again = client.mark_ticket_printed(ticket.ticket_id, idempotency_key=str(uuid.uuid4()), reprint=True)
    assert again.print_count == 2
    with pytest.raises(ApiError) as info:
        client.mark_ticket_printed("no-such-ticket", idempotency_key=str(uuid.uuid4()))
    assert info.value.code == "unknown_ticket"


def test_a_kiosk_cannot_mark_another_kiosks_ticket_printed(servers: list[ServerProcess]) -> None:
    server = servers[0]
    own = kiosk_session(server)
    other = enroll_kiosk(server, "kiosk-other-" + uuid.uuid4().hex[:6])
    ticket = issue(own, server, "mynumber")

    def mark(session: requests.Session, ticket_id: str, reprint: bool) -> requests.Response:
        return session.post(f"{server.base_url}/v1/tickets/{ticket_id}/printed", json={"reprint": reprint},
                            headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30)

    # Answered as a ticket that does not exist: the other kiosk learns nothing, and nothing is counted.
    for reprint in (False, True):
        refused = mark(other, ticket["ticket_id"], reprint)
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "unknown_ticket"), refused.text
        assert refused.json()["error"]["message_ja"]
    # Each kiosk marks its own tickets, and the first kiosk's print is its ticket's first.
    theirs = issue(other, server, "mynumber")
    assert mark(other, theirs["ticket_id"], False).json()["print_count"] == 1
    assert mark(own, ticket["ticket_id"], False).json()["print_count"] == 1


def test_ticket_needs_a_signature_and_a_key(servers: list[ServerProcess]) -> None:
    url = servers[0].base_url + "/v1/tickets"
    unsigned = requests.post(url, json={"service": "other"}, headers={"Idempotency-Key": "x"}, timeout=10)
    assert unsigned.status_code == 401
    no_key = kiosk_session(servers[0]).post(url, json={"service": "other"}, timeout=10)
    assert (no_key.status_code, no_key.json()["error"]["code"]) == (400, "idempotency_key_required")


def test_counter_flow_status_page_and_alerts(servers: list[ServerProcess], client: KioskApiClient) -> None:
    a, b = servers
    kiosk = kiosk_session(a)
    first, second = issue(kiosk, a, "mynumber"), issue(kiosk, a, "mynumber")
    headers = staff_headers(b)  # a session made on one process works on the other: it is in the database
    assert requests.get(a.base_url + "/v1/counter/overview", timeout=10).status_code == 401
    overview = requests.get(a.base_url + "/v1/counter/overview", headers=headers, timeout=10).json()
    queue = next(q for q in overview["queues"] if q["service"] == "mynumber")
    assert queue["waiting"] >= 2
    # Drain older mynumber tickets from other tests, then call ours.
    called = None
    while called is None or called["ticket_id"] != first["ticket_id"]:
        response = requests.post(b.base_url + "/v1/counter/calls", json={"service": "mynumber", "counter": "2"},
                                 headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        called = response.json()
    assert (called["status"], called["counter"]) == ("called", "2")
    token = first["status_url"].rsplit("/t/", 1)[1]
    status = requests.get(a.base_url + f"/v1/tickets/status/{token}", timeout=10).json()
    assert (status["number"], status["status"], status["counter_ja"]) == (first["number"], "called", "2番窓口")
    # The status page exposes numbers and times only.
    assert not {"ticket_id", "kiosk_id", "reason", "reference", "called_by"} & set(status)
    board = requests.get(b.base_url + "/v1/lobby", timeout=10).json()
    assert board["calling"][0]["number"] == first["number"] and board["calling"][0]["counter_en"] == "Counter 2"
    second_token = second["status_url"].rsplit("/t/", 1)[1]
    assert requests.get(a.base_url + f"/v1/tickets/status/{second_token}", timeout=10).json()["people_ahead"] == 0
    recalled = requests.post(a.base_url + f"/v1/counter/tickets/{first['ticket_id']}/recall", json={},
                             headers=headers, timeout=10).json()
    assert recalled["call_count"] == 2
    served = requests.post(a.base_url + f"/v1/counter/tickets/{first['ticket_id']}/served", headers=headers,
                           timeout=10)
    assert served.json()["status"] == "served"
    twice = requests.post(a.base_url + f"/v1/counter/tickets/{first['ticket_id']}/no-show", headers=headers,
                          timeout=10)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "ticket_not_active")
    assert requests.get(a.base_url + "/v1/tickets/status/not-a-token", timeout=10).status_code == 404

    alert = client.call_staff("printer_paper_out", idempotency_key=str(uuid.uuid4()), ticket_number=second["number"])
    alerts = requests.get(b.base_url + "/v1/counter/alerts", headers=headers, timeout=10).json()
    assert any(x["id"] == alert.alert_id and x["acknowledged_at"] is None for x in alerts)
    taken = requests.post(b.base_url + f"/v1/counter/alerts/{alert.alert_id}/acknowledge", headers=headers,
                          timeout=10).json()
    assert taken["acknowledged_by"] == b.staff_id


def test_many_kiosks_at_once_through_two_server_processes(servers: list[ServerProcess]) -> None:
    a, b = servers
    urls = [a.base_url, b.base_url]
    engine = create_engine(a.database_url)
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).where(Ticket.service == "other")).scalar_one()
    # A double tap sent twice at the same instant, to each process: one ticket.
    key = str(uuid.uuid4())
    twins: list[dict] = []
    barrier = threading.Barrier(2)

    def tap(server: ServerProcess) -> None:
        barrier.wait()
        response = kiosk_session(server).post(server.base_url + "/v1/tickets", json={"service": "other"},
                                             headers={"Idempotency-Key": key}, timeout=30)
        twins.append(response.json() if response.status_code == 201 else {"error": response.text})

    pair = [threading.Thread(target=tap, args=(s,)) for s in servers]
    for thread in pair:
        thread.start()
    # Meanwhile: three processes and this one, 4 threads each, all issuing.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=3, mp_context=context) as pool:
        futures = [pool.submit(issue_concurrently, urls, a.kiosk_id, a.kiosk_secret, "other", 4, 12)
                   for _ in range(3)]
        here = issue_concurrently(urls, a.kiosk_id, a.kiosk_secret, "other", 4, 12)
        tickets = here + [t for f in futures for t in f.result(timeout=240)]
    for thread in pair:
        thread.join()
    conflicts = [t for t in twins if "error" in t]
    # The loser of the same-key race gets the winner's answer (or, at worst, "conflict" to retry).
    assert len(conflicts) <= 1, twins
    winners = {t["ticket_id"] for t in twins if "error" not in t}
    assert len(winners) == 1
    winner = next(t for t in twins if "error" not in t)
    tickets.append((winner["ticket_id"], winner["number"]))
    assert len(tickets) == 4 * 12 * 4 + 1
    assert len({ticket_id for ticket_id, _ in tickets}) == len(tickets)
    numbers = numbers_of("S", tickets)
    assert numbers == list(range(before + 1, before + len(tickets) + 1))
    with engine.connect() as connection:
        rows = connection.execute(select(Ticket.seq).where(Ticket.service == "other").order_by(Ticket.seq)).all()
    engine.dispose()
    assert [r.seq for r in rows] == list(range(1, before + len(tickets) + 1))


def test_closed_counter_says_when_it_opens(live_server: ServerProcess) -> None:
    # live_server pins the library's date to Monday 15 June 2026 with the configured hours:
    # Mondays are closed, so the counter opens on Tuesday at 9:00 whatever the real time.
    client = KioskApiClient(live_server.base_url, live_server.kiosk_id, live_server.kiosk_secret, timeout=10)
    listing = client.ticket_services()
    expected = datetime(2026, 6, 16, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert (listing.open, listing.opens_at) == (False, expected)
    assert all(not s.open for s in listing.services)
    key = str(uuid.uuid4())
    for _ in range(2):  # 503: not stored, a retry with the same key is tried again
        with pytest.raises(ApiError) as info:
            client.issue_ticket("mynumber", idempotency_key=key)
        error = info.value
        assert (error.code, error.status, error.opens_at) == ("counter_closed", 503, expected)
        assert error.message_ja and error.message_en
    board = requests.get(live_server.base_url + "/v1/lobby", timeout=10).json()
    assert (board["open"], board["opens_at"]) == (False, "2026-06-16T09:00:00+09:00")
