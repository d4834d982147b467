"""The kiosk's client for registration applications against the real server process: the accepted IDs, an
application with the card's signature, and each refusal the kiosk must tell apart as its typed error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.api import KioskApiClient
from kiosk.api.errors import ApiError, RegistrationContactError, RegistrationRefusedError
from tests.server.test_api_migrations import sign
from tests.support.server_proc import ServerProcess, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory: Path = tmp_path_factory.mktemp("registration-client")
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}")
    try:
        yield process
    finally:
        process.stop()


def apply(server: ServerProcess, persona, **contact: str | None):  # type: ignore[no-untyped-def]
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)
    try:
        challenge = client.migration_challenge()
        return client.registration_apply(
            challenge_id=challenge.challenge_id, certificate_der=persona.cert_der,
            signature=sign(persona.private_key, challenge.challenge), name=persona.name, address=persona.address,
            birth_date=persona.birth_date, sex=persona.sex, phone=contact.get("phone"), email=contact.get("email"),
            idempotency_key=str(uuid.uuid4()))
    finally:
        client.close()


def test_the_accepted_ids_name_the_notification_card_as_not_accepted(server: ServerProcess) -> None:
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)
    try:
        ids = client.registration_accepted_ids()
    finally:
        client.close()
    assert "driving_licence" in [item.id for item in ids.ids]
    assert [item.id for item in ids.address_proofs] == ["utility_bill"]
    assert [item.id for item in ids.not_accepted] == ["notification_card"]
    assert ids.not_accepted[0].name_ja == "マイナンバーの通知カード"


def test_an_application_and_each_refusal_as_its_typed_error(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["no_old_link"]
    for contact, field in (({"phone": "0952"}, "phone"), ({"email": "sakura@"}, "email"), ({}, None)):
        with pytest.raises(RegistrationContactError) as refused:
            apply(server, persona, **contact)
        assert refused.value.field == field
    receipt = apply(server, persona, phone="0952-24-2900")
    assert receipt.status == "waiting" and receipt.reference_code.startswith("N") and len(receipt.reference_code) == 6
    with pytest.raises(RegistrationRefusedError) as pending:
        apply(server, persona, email="sakura@example.jp")
    assert pending.value.code == "registration_pending"
    with pytest.raises(RegistrationRefusedError) as linked:
        apply(server, test_pki.personas["normal"], phone="09012345678")  # linked to a library card
    assert linked.value.code == "registration_already_patron"
    with pytest.raises(ApiError) as revoked:
        apply(server, test_pki.personas["revoked_cert"], phone="09012345678")
    assert revoked.value.code == "certificate_revoked" and not isinstance(revoked.value, RegistrationRefusedError)
