"""Helpers for the queue-ticket tests: an always-open counter, real server processes, signed kiosks.

The counter's hours are set to the whole day with no closed days, so tests that issue tickets do
not depend on when CI runs; the hours tests inject the date and time instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from kiosk.api import HmacAuth
from tests.support.server_proc import ServerProcess, start_server

ALWAYS_OPEN = {
    "SERVER_COUNTER_HOURS_WEEKDAY": '["00:00", "24:00"]',
    "SERVER_COUNTER_HOURS_WEEKEND": '["00:00", "24:00"]',
    "SERVER_CLOSED_WEEKDAYS": "[]",
    "SERVER_CLOSED_DATES": "[]",
    "SERVER_OPEN_ON_PUBLIC_HOLIDAYS": "true",
}


@contextmanager
def ticket_servers(database_url: str, count: int = 1, settings: dict[str, str] | None = None
                   ) -> Iterator[list[ServerProcess]]:
    """`count` server processes on one database (as several workers would be), always open.

    They start one after the other: each migrates and seeds on start, and the later ones must
    find the work done. They share the first one's kiosk secret and staff PIN (seeded once)."""
    servers: list[ServerProcess] = []
    try:
        first = start_server(database_url=database_url, settings={**ALWAYS_OPEN, **(settings or {})})
        servers.append(first)
        for _ in range(count - 1):
            shared = {"SERVER_DEMO_KIOSK_SECRET": first.kiosk_secret, "SERVER_DEMO_STAFF_PIN": first.staff_pin}
            servers.append(start_server(database_url=database_url,
                                        settings={**ALWAYS_OPEN, **(settings or {}), **shared}))
            servers[-1].kiosk_secret, servers[-1].staff_pin = first.kiosk_secret, first.staff_pin
        yield servers
    finally:
        for server in servers:
            server.stop()


def kiosk_session(server: ServerProcess) -> requests.Session:
    """A requests session that signs like the kiosk."""
    session = requests.Session()
    session.auth = HmacAuth(server.kiosk_id, server.kiosk_secret)
    return session


def issue(session: requests.Session, server: ServerProcess, service: str, key: str | None = None,
          headers: dict[str, str] | None = None, **fields: str) -> dict:
    """POST /v1/tickets with an idempotency key (and reason / reference, and any other headers); the ticket's
    JSON (asserts 201)."""
    response = session.post(server.base_url + "/v1/tickets", json={"service": service, **fields},
                            headers={"Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def staff_headers(server: ServerProcess) -> dict[str, str]:
    """A bearer header for the demo staff account."""
    response = requests.post(server.base_url + "/v1/staff/sessions",
                             json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10)
    assert response.status_code == 201, response.text
    return {"Authorization": "Bearer " + response.json()["token"]}


def issue_concurrently(base_urls: list[str], kiosk_id: str, secret: str, service: str, threads: int,
                       per_thread: int) -> list[tuple[str, str]]:
    """Issue tickets from `threads` threads at once, each its own kiosk client, spread over the
    servers; (ticket_id, number) of each. Module-level so a spawned process can run it too."""
    import threading

    from kiosk.api.client import KioskApiClient

    results: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(index: int) -> None:
        client = KioskApiClient(base_urls[index % len(base_urls)], kiosk_id, secret, timeout=60)
        try:
            barrier.wait()
            for _ in range(per_thread):
                ticket = client.issue_ticket(service, idempotency_key=str(uuid.uuid4()))
                results.append((ticket.ticket_id, ticket.number))
        except BaseException as error:
            errors.append(error)
        finally:
            client.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return results
