"""The migration protocol on the real databases, with the virtual card's test PKI and personas.

Challenges are signed with each persona's private key directly (the card path end to end
is tested with the virtual card elsewhere).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from server import audit
from server.cards import expiry as card_expiry
from server.clock import FixedClock
from server.errors import ApiError
from server.migration import service as migration
from server.patrons.linkage import MYKEY, OLD, active_linkage, linkage_history
from server.patrons.service import get_patron
from server.state import AppState


def sign(private_key, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def migrate(state: AppState, persona, *, card: str | None = None, policy: str = "kiosk",  # type: ignore[no-untyped-def]
            key=None, tamper: bool = False, challenge=None):
    challenge = challenge or state.mykey.issue_challenge()
    data = challenge.data + (b"x" if tamper else b"")
    with state.sessions() as session, session.begin():
        return migration.migrate(
            session=session, trust=state.trust, connector=state.mykey,
            card_number=card or persona.library_card, challenge_id=challenge.challenge_id,
            certificate_der=persona.cert_der, signature=sign(key or persona.private_key, data),
            birth_date=persona.birth_date, kiosk_id="kiosk-demo-01", policy=policy, now=state.clock.now(),
        )


def error_code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def links(state: AppState, card: str) -> list[tuple[str, bool]]:
    with state.sessions() as session:
        patron = get_patron(session=session, card_number=card)
        return [(link.scheme, link.active) for link in linkage_history(session=session, patron_id=patron.id)]


@pytest.mark.parametrize("persona_key", ["normal", "blocked"])  # issued by the 2015 and the 2023 root
def test_migration_completes_at_the_kiosk(state: AppState, test_pki, persona_key: str) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas[persona_key]
    result = migrate(state, persona)
    assert (result.status, result.card_number, result.reference_code) == ("completed", persona.library_card, None)
    assert links(state, persona.library_card) == [(OLD, False), (MYKEY, True)]
    with state.sessions() as session:
        entry = audit.entries(session=session, card_number=persona.library_card)[-1]
        assert (entry.action, entry.outcome, entry.actor_id) == ("migration.complete", "ok", "kiosk-demo-01")
        assert set(entry.detail) == {"cert_serial", "issuer_fp"}


def test_challenge_is_single_use(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    challenge = state.mykey.issue_challenge()
    assert error_code(lambda: migrate(state, persona, tamper=True, challenge=challenge)) == "bad_signature"
    # The failed attempt used the challenge up: the right signature now comes too late.
    assert error_code(lambda: migrate(state, persona, challenge=challenge)) == "challenge_used"
    assert links(state, "2000000014") == [(OLD, True)]


def test_expired_and_unknown_challenges(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    challenge = state.mykey.issue_challenge()
    assert isinstance(state.clock, FixedClock)
    state.clock.advance(state.settings.challenge_ttl_seconds + 1)
    assert error_code(lambda: migrate(state, persona, challenge=challenge)) == "challenge_expired"
    from server.mykey.connector import Challenge

    ghost = Challenge("no-such-challenge", b"0" * 32, datetime.now(UTC))
    assert error_code(lambda: migrate(state, persona, challenge=ghost)) == "challenge_unknown"


def test_signature_by_another_key_is_refused(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    other = test_pki.personas["wrong_then_right"].private_key
    assert error_code(lambda: migrate(state, persona, key=other)) == "bad_signature"
    assert links(state, "2000000014") == [(OLD, True)]


@pytest.mark.parametrize(
    ("persona_key", "code"),
    [("revoked_cert", "certificate_revoked"), ("expired_cert", "certificate_expired"),
     ("no_old_link", "no_old_link")],
)
def test_certificate_and_link_refusals(state: AppState, test_pki, persona_key: str, code: str) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas[persona_key]
    assert error_code(lambda: migrate(state, persona)) == code
    assert all(scheme == OLD for scheme, _ in links(state, persona.library_card))


def test_no_old_link_message_sends_the_patron_to_the_counter() -> None:
    assert "2階" in ApiError("no_old_link").spec.message_ja


def test_certificate_of_another_patron_is_no_old_link(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    # normal's card presented with wrong_then_right's library card number.
    assert error_code(lambda: migrate(state, test_pki.personas["normal"], card="2000000022")) == "no_old_link"


def _self_signed(subject: x509.Name, issuer: x509.Name) -> tuple[bytes, rsa.RSAPrivateKey]:
    from cryptography.hazmat.primitives.serialization import Encoding

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER), key


def test_certificate_from_an_unknown_ca(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone")])
    # Unknown issuer name, and a forgery claiming a real root's name but signed by another key.
    for issuer in (name, test_pki.roots[0].subject):
        der, key = _self_signed(name, issuer)
        challenge = state.mykey.issue_challenge()
        with state.sessions() as session, pytest.raises(ApiError) as info:
            migration.migrate(
                session=session, trust=state.trust, connector=state.mykey, card_number="2000000014",
                challenge_id=challenge.challenge_id, certificate_der=der, signature=sign(key, challenge.data),
                birth_date=None, kiosk_id="kiosk-demo-01", policy="kiosk", now=state.clock.now(),
            )
        assert info.value.code == "unknown_ca"


def test_garbage_certificate(state: AppState) -> None:
    challenge = state.mykey.issue_challenge()
    with state.sessions() as session, pytest.raises(ApiError) as info:
        migration.migrate(
            session=session, trust=state.trust, connector=state.mykey, card_number="2000000014",
            challenge_id=challenge.challenge_id, certificate_der=b"\x30\x03\x02\x01\x00", signature=b"x",
            birth_date=None, kiosk_id="kiosk-demo-01", policy="kiosk", now=state.clock.now(),
        )
    assert info.value.code == "malformed_certificate"


def test_renewed_certificate_keeps_the_mykey_id(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    normal, renewed = test_pki.personas["normal"], test_pki.personas["renewed"]
    # Before migration the renewed certificate has no old link (new serial).
    assert error_code(lambda: migrate(state, renewed)) == "no_old_link"
    migrate(state, normal)
    assert error_code(lambda: migrate(state, renewed)) == "already_migrated"
    with state.sessions() as session:
        patron = get_patron(session=session, card_number="2000000014")
        linked_id = active_linkage(session=session, patron_id=patron.id).mykey_id
    assert state.mykey.lookup_mykey_id(certificate_der=renewed.cert_der) == linked_id
    # Expiry by My Number card works with the renewed card, through the マイキーID.
    challenge = state.mykey.issue_challenge()
    with state.sessions() as session:
        patron, expiry = card_expiry.expiry_by_card_response(
            session=session, trust=state.trust, connector=state.mykey, challenge_id=challenge.challenge_id,
            certificate_der=renewed.cert_der, signature=sign(renewed.private_key, challenge.data),
            now=state.clock.now(), today=state.clock.today(),
        )
    assert patron.card_number == "2000000014" and expiry.valid_until > state.clock.today()


def test_expiry_by_old_link_and_unlinked_card(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    def by_card(persona):  # type: ignore[no-untyped-def]
        challenge = state.mykey.issue_challenge()
        with state.sessions() as session:
            return card_expiry.expiry_by_card_response(
                session=session, trust=state.trust, connector=state.mykey, challenge_id=challenge.challenge_id,
                certificate_der=persona.cert_der, signature=sign(persona.private_key, challenge.data),
                now=state.clock.now(), today=state.clock.today(),
            )

    assert by_card(test_pki.personas["wrong_then_right"])[0].card_number == "2000000022"
    assert error_code(lambda: by_card(test_pki.personas["no_old_link"])) == "not_linked"


def test_staff_policy_holds_then_confirm(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    result = migrate(state, persona, policy="staff")
    assert result.status == "pending" and len(result.reference_code) == 6
    assert links(state, "2000000014") == [(OLD, True)]
    assert error_code(lambda: migrate(state, persona, policy="staff")) == "migration_pending"
    with state.sessions() as session:
        assert [r.reference_code for r in migration.list_requests(session=session)] == [result.reference_code]
    with state.sessions() as session, session.begin():
        migration.confirm_request(session=session, reference_code=result.reference_code.lower(),
                                  staff_id="demo-admin", now=state.clock.now())
    assert links(state, "2000000014") == [(OLD, False), (MYKEY, True)]
    with state.sessions() as session, session.begin():
        assert error_code(lambda: migration.confirm_request(
            session=session, reference_code=result.reference_code, staff_id="demo-admin",
            now=state.clock.now())) == "migration_not_pending"
        assert error_code(lambda: migration.reject_request(
            session=session, reference_code="ZZZZZZ", staff_id="demo-admin", now=state.clock.now())) \
            == "unknown_migration"


def test_staff_policy_reject_keeps_the_old_link(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    result = migrate(state, test_pki.personas["normal"], policy="staff")
    with state.sessions() as session, session.begin():
        rejected = migration.reject_request(session=session, reference_code=result.reference_code,
                                            staff_id="demo-admin", now=state.clock.now())
        assert rejected.status == "rejected"
    assert links(state, "2000000014") == [(OLD, True)]
    # After a rejection the patron may try again.
    assert migrate(state, test_pki.personas["normal"], policy="staff").status == "pending"


def test_crl_is_checked_against_its_issuers_signature(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    revoked = test_pki.personas["revoked_cert"].cert
    issuer = state.trust.issuer_of(revoked)
    assert state.trust.is_revoked(revoked, issuer)
    assert not state.trust.is_revoked(test_pki.personas["blocked"].cert, issuer)


def test_one_person_cannot_link_a_second_card(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    from server.patrons.linkage import add_old_link
    from server.patrons.service import create_patron

    normal, renewed = test_pki.personas["normal"], test_pki.personas["renewed"]
    migrate(state, normal)
    # The same person also holds another library card, linked (old scheme) to the renewed certificate.
    with state.sessions() as session, session.begin():
        second = create_patron(session=session, card_number="3000000004", name=normal.name,
                               birth_date=normal.birth_date, registered_on=state.clock.today(), now=state.clock.now())
        add_old_link(session=session, patron=second, cert_serial=renewed.cert.serial_number,
                     cert_issuer=renewed.cert.issuer.rfc4514_string(), now=state.clock.now())
    assert error_code(lambda: migrate(state, renewed, card="3000000004")) == "mykey_linked_elsewhere"
    assert links(state, "3000000004") == [(OLD, True)]
