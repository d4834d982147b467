"""Two server processes on one PostgreSQL: one migration sent to both at once is done exactly once.

The same signed answer with one Idempotency-Key to both processes (a kiosk retry that reached another
host) gets the same 201 from both; the same challenge under two keys (a replayed card answer) is redeemed
once. Tickets and nonces across processes are covered in tests/server (test_tickets_http.py::
test_many_kiosks_at_once_through_two_server_processes, test_api_shared_state.py).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import create_engine, select

from kiosk.api import HmacAuth
from server.patrons.models import Linkage, Patron
from tests.support.postgres import start_postgres
from tests.support.server_proc import ServerProcess, start_server


@pytest.fixture(scope="module")
def two_processes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    pg = start_postgres()
    url = pg.create_database("two_processes")
    first = start_server(database_url=url)
    second = None
    try:
        # The demo kiosk is seeded by the first process; the second finds it and keeps its secret.
        second = start_server(database_url=url)
        yield first, second
    finally:
        for server in (first, second):
            if server is not None:
                server.stop()
        pg.stop()


def _linkages(database_url: str, card_number: str) -> list[tuple[str, bool]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Linkage.scheme, Linkage.active).join(Patron, Patron.id == Linkage.patron_id)
            .where(Patron.card_number == card_number).order_by(Linkage.id)).all()
    engine.dispose()
    return [(scheme, bool(active)) for scheme, active in rows]


def _answer(server: ServerProcess, persona, auth: HmacAuth) -> dict:  # type: ignore[no-untyped-def]
    challenge = requests.post(server.base_url + "/v1/migrations/challenges", json={}, auth=auth,
                              headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10).json()
    signature = persona.private_key.sign(base64.b64decode(challenge["challenge"]), padding.PKCS1v15(),
                                         hashes.SHA256())
    return {"challenge_id": challenge["challenge_id"], "card_number": persona.library_card,
            "certificate": base64.b64encode(persona.cert_der).decode(),
            "signature": base64.b64encode(signature).decode()}


def test_one_migration_sent_to_two_processes_at_once_is_done_once(two_processes, test_pki) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    auth = HmacAuth(first.kiosk_id, first.kiosk_secret)
    persona = test_pki.personas["normal"]
    body = _answer(first, persona, auth)
    key = str(uuid.uuid4())

    def post(server: ServerProcess) -> tuple[int, dict]:
        response = requests.post(server.base_url + "/v1/migrations", json=body, auth=auth,
                                 headers={"Idempotency-Key": key}, timeout=30)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(post, [first, second] * 3))
    expected = (201, {"status": "completed", "card_number": persona.library_card, "reference_code": None})
    assert answers == [expected] * 6
    assert _linkages(first.database_url, persona.library_card) == [("old", False), ("mykey", True)]


def test_one_challenge_under_two_keys_is_redeemed_once(two_processes, test_pki) -> None:  # type: ignore[no-untyped-def]
    first, second = two_processes
    auth = HmacAuth(first.kiosk_id, first.kiosk_secret)
    persona = test_pki.personas["wrong_then_right"]
    body = _answer(first, persona, auth)

    def post(server: ServerProcess) -> tuple[int, str]:
        response = requests.post(server.base_url + "/v1/migrations", json=body, auth=auth,
                                 headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30)
        return response.status_code, response.json().get("status") or response.json()["error"]["code"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = sorted(pool.map(post, [first, second] * 2))
    assert answers[0] == (201, "completed")
    assert answers[1:] == [(422, "challenge_used")] * 3
    assert _linkages(first.database_url, persona.library_card) == [("old", False), ("mykey", True)]
