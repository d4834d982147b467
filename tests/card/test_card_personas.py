"""The generated test PKI and personas: the public interface the server's tests rely on."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from protocol.cardnumber import is_valid as luhn_ok
from virtualcard.card import VirtualCard
from virtualcard.fake import FakeConnection
from virtualcard.personas import SPECS, Persona
from virtualcard.pki import load_or_create

EXPECTED_CARDS = {
    "normal": "2000000014", "wrong_then_right": "2000000022", "one_try_left": "2000000030",
    "blocked": "2000000048", "expired_cert": "2000000055", "revoked_cert": "2000000063",
    "different_pins": "2000000071", "pulled_out": "2000000089", "no_old_link": "2000000097",
    "renewed": "2000000014", "not_mynumber": None,
}
LIBRARY_ADDRESS = "佐賀県佐賀市城内二丁目1番41号"
NOW = dt.datetime.now(dt.UTC)


def test_persona_keys_and_library_cards(test_pki):
    assert {k: p.library_card for k, p in test_pki.personas.items()} == EXPECTED_CARDS
    for card in filter(None, EXPECTED_CARDS.values()):
        assert len(card) == 10 and luhn_ok(card)
    assert not luhn_ok("2000000015")


def test_persona_is_frozen_with_the_agreed_fields(test_pki):
    persona = test_pki.personas["normal"]
    assert isinstance(persona, Persona) and dataclasses.is_dataclass(persona)
    fields = {f.name for f in dataclasses.fields(Persona)}
    assert {"key", "person_id", "library_card", "has_old_link", "auth_pin", "text_pin", "auth_tries",
            "text_tries", "cert", "cert_der", "private_key", "issuer_cert", "name", "address", "birth_date",
            "sex", "kind", "pull_out_after_chunks", "revoked"} <= fields
    try:
        persona.name = "x"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("Persona must be frozen")


def test_every_certificate_chains_to_its_generation_and_matches_its_key(test_pki):
    for persona in test_pki.personas.values():
        persona.cert.verify_directly_issued_by(persona.issuer_cert)
        assert persona.issuer_cert in test_pki.roots
        signature = persona.private_key.sign(b"m", padding.PKCS1v15(), hashes.SHA256())
        persona.cert.public_key().verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())
        assert persona.private_key.key_size == 2048
        assert "TEST" in persona.issuer_cert.subject.rfc4514_string()


def test_validity_flags_are_true(test_pki):
    personas = test_pki.personas
    assert personas["expired_cert"].cert.not_valid_after_utc < NOW
    for key in ("normal", "renewed", "revoked_cert", "no_old_link"):
        assert personas[key].cert.not_valid_before_utc <= NOW <= personas[key].cert.not_valid_after_utc
    assert personas["renewed"].person_id == personas["normal"].person_id
    assert personas["renewed"].cert.serial_number != personas["normal"].cert.serial_number
    assert personas["renewed"].ca_generation == 2023 and not personas["renewed"].has_old_link
    assert not personas["no_old_link"].has_old_link and personas["normal"].has_old_link
    assert personas["one_try_left"].auth_tries == 1 and personas["blocked"].auth_tries == 0
    assert personas["different_pins"].auth_pin != personas["different_pins"].text_pin
    assert personas["not_mynumber"].kind == "other"
    assert personas["pulled_out"].pull_out_after_chunks


def test_crls_are_signed_and_list_only_the_revoked_persona(test_pki):
    revoked = {p.cert.serial_number for p in test_pki.personas.values() if p.revoked}
    assert len(revoked) == 1
    listed = set()
    for root, path in zip(test_pki.roots, test_pki.crl_paths, strict=True):
        crl = x509.load_pem_x509_crl(path.read_bytes())
        assert crl.is_signature_valid(root.public_key()) and crl.issuer == root.subject
        listed |= {entry.serial_number for entry in crl}
    assert listed == revoked
    assert test_pki.crl_path in test_pki.crl_paths
    assert all(p.exists() for p in test_pki.root_pem_paths)


def test_fake_people_only(test_pki):
    for persona in test_pki.personas.values():
        assert persona.address != LIBRARY_ADDRESS
        assert persona.sex in {"1", "2", "9"}
        assert len(persona.fake_my_number) == 12 and persona.fake_my_number.isdigit()


def test_cache_is_reused_and_regenerated_when_missing(tmp_path, test_pki):
    first = load_or_create(tmp_path / "p")
    again = load_or_create(tmp_path / "p")
    assert again.personas["normal"].cert.serial_number == first.personas["normal"].cert.serial_number
    (tmp_path / "p" / "manifest.json").unlink()
    fresh = load_or_create(tmp_path / "p")
    assert fresh.personas["normal"].cert.serial_number != first.personas["normal"].cert.serial_number
    assert len(fresh.personas) == len(SPECS)


def test_virtual_card_counts_down_and_blocks_like_the_card(test_pki):
    # Through the in-process fake: the engine's own PIN rules (the pcscd path is in test_card_jpki_e2e).
    card = VirtualCard.for_persona(test_pki.personas["normal"])
    conn = FakeConnection(card)
    answers = []
    for command in ("00A4040C0AD392F000260100000001", "00A4020C020018", "00200080",
                    "002000800430303030", "002000800430303030", "002000800430303030",
                    "002000800431323334", "00200080"):
        answers.append(f"{conn.send_and_receive(bytes.fromhex(command))[1]:04X}")
    assert answers == ["9000", "9000", "63C3", "63C2", "63C1", "63C0", "6984", "63C0"]
    card.power_off()
    assert card.files[(bytes.fromhex("D392F000260100000001"), 0x0018)].tries == 0  # survives power off
