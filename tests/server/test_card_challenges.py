"""The card's challenge has a neutral path, POST /v1/cards/challenges, used by every card flow; the old
POST /v1/migrations/challenges answers the same while kiosks of the previous version are in service."""

from __future__ import annotations

import base64
import uuid
from types import SimpleNamespace

import requests

from kiosk.api import HmacAuth
from server.app import create_app
from server.config import load_settings
from tests.server.test_api_migrations import kiosk, sign
from tests.support.server_proc import ServerProcess

NEW = "/v1/cards/challenges"
OLD = "/v1/migrations/challenges"


def _challenge(server: ServerProcess, path: str, key: str | None = None) -> requests.Response:
    return requests.post(server.base_url + path, json={}, auth=HmacAuth(server.kiosk_id, server.kiosk_secret),
                         headers={"Idempotency-Key": key or str(uuid.uuid4())}, timeout=15)


def test_the_new_path_and_the_old_alias_both_issue_a_challenge_the_card_flows_accept(
    live_server: ServerProcess, test_pki  # type: ignore[no-untyped-def]
) -> None:
    persona = test_pki.personas["different_pins"]  # old-scheme link: a check-up reads, it changes nothing
    client = kiosk(live_server)
    seen = set()
    for path in (NEW, OLD):
        answer = _challenge(live_server, path)
        assert answer.status_code == 201, (path, answer.text)
        body = answer.json()
        assert body["challenge_id"] not in seen  # each call a fresh single-use challenge
        seen.add(body["challenge_id"])
        # The same challenge store behind both: the card's signature over either is a proof.
        found = client.card_checkup(challenge_id=body["challenge_id"], certificate_der=persona.cert_der,
                                    signature=sign(persona.private_key, base64.b64decode(body["challenge"])))
        assert found.link == "old", path


def test_the_kiosk_client_fetches_its_challenge_at_the_new_path(live_server: ServerProcess) -> None:
    """An idempotency key answers again only for the same request (method, path, body): a replay of the
    client's key at the new path gets the client's challenge back, so that is where the client asked."""
    key = str(uuid.uuid4())
    challenge = kiosk(live_server).migration_challenge(idempotency_key=key)
    replay = _challenge(live_server, NEW, key)
    assert replay.status_code == 201, replay.text
    assert replay.json()["challenge_id"] == challenge.challenge_id
    assert _challenge(live_server, OLD, key).status_code != 201  # the key's request was not the old path


def test_the_api_document_marks_the_old_path_deprecated() -> None:
    app = create_app(load_settings(database_url="sqlite://"), state=SimpleNamespace())  # type: ignore[arg-type]
    paths = app.openapi()["paths"]
    assert paths[OLD]["post"].get("deprecated") is True
    assert not paths[NEW]["post"].get("deprecated", False)
    assert paths[NEW]["post"]["responses"].keys() == paths[OLD]["post"]["responses"].keys()
