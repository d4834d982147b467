"""Every persona end to end through the real pcscd + vpcd + pyscard path."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.card import (
    SW,
    ApduError,
    CardRemovedError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    JpkiSession,
    LastTryNotConfirmedError,
    NotMyNumberCardError,
    Pin,
    PinBlockedError,
    TextApSession,
    WrongPinError,
    sha256_digest_info,
)

NOW = dt.datetime.now(dt.UTC)


def pin(text: str) -> Pin:
    return Pin(bytearray(text.encode()))


def verify_commands(card) -> list[bytes]:
    """VERIFY commands with a PIN that reached the card (the card records their header only)."""
    return [c for c in card.history if c[1] == 0x20 and len(c) == 5]


def full_auth(session: JpkiSession, persona, challenge: bytes = b"server challenge 42") -> bytes:
    session.verify_auth_pin(pin(persona.auth_pin))
    signature = session.sign_auth(sha256_digest_info(challenge))
    persona.cert.public_key().verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    return signature


MYNUMBER_PERSONAS = [
    "normal", "wrong_then_right", "one_try_left", "blocked", "expired_cert", "revoked_cert",
    "different_pins", "no_old_link", "renewed",
]


@pytest.mark.parametrize("key", MYNUMBER_PERSONAS)
def test_certificate_read_matches_persona_and_chains_to_test_ca(open_card, test_pki, key):
    conn, _card = open_card(key)
    persona = test_pki.personas[key]
    session = JpkiSession(conn)
    assert session.is_my_number_card()
    cert = session.read_auth_certificate()
    assert cert.der == persona.cert_der
    assert cert.serial == persona.cert.serial_number
    root = test_pki.root_for(persona.ca_generation)
    cert.cert.verify_directly_issued_by(root)
    assert "TEST" in cert.issuer
    assert session.auth_pin_tries_left() == persona.auth_tries


@pytest.mark.parametrize("key", ["normal", "no_old_link", "renewed", "revoked_cert", "expired_cert"])
def test_pin_then_signature_verifies_with_certificate_key(open_card, test_pki, key):
    conn, card = open_card(key)
    session = JpkiSession(conn)
    full_auth(session, test_pki.personas[key])
    assert len(verify_commands(card)) == 1


def test_both_ca_generations_are_exercised(test_pki):
    assert {test_pki.personas[k].ca_generation for k in MYNUMBER_PERSONAS} == {2015, 2023}


def test_expired_certificate_is_a_typed_error(open_card):
    conn, _ = open_card("expired_cert")
    cert = JpkiSession(conn).read_auth_certificate()
    with pytest.raises(CertificateExpiredError):
        cert.check_validity(NOW)
    with pytest.raises(CertificateNotYetValidError):
        cert.check_validity(cert.not_before - dt.timedelta(seconds=1))


def test_valid_certificate_passes_validity_check(open_card):
    conn, _ = open_card("normal")
    cert = JpkiSession(conn).read_auth_certificate()
    cert.check_validity(NOW)
    assert not cert.is_expired(NOW)


def test_revoked_certificate_is_on_the_published_crl(open_card, test_pki):
    conn, _ = open_card("revoked_cert")
    cert = JpkiSession(conn).read_auth_certificate()
    from cryptography import x509

    crl = x509.load_pem_x509_crl(test_pki.crl_path.read_bytes())
    assert crl.is_signature_valid(test_pki.root_for(2023).public_key())
    assert crl.get_revoked_certificate_by_serial_number(cert.serial) is not None
    normal = test_pki.personas["normal"]
    assert all(
        x509.load_pem_x509_crl(p.read_bytes()).get_revoked_certificate_by_serial_number(normal.cert.serial_number)
        is None
        for p in test_pki.crl_paths
    )


def test_renewed_card_is_same_person_with_new_certificate(open_card, test_pki):
    conn, _ = open_card("renewed")
    renewed = JpkiSession(conn).read_auth_certificate()
    normal, persona = test_pki.personas["normal"], test_pki.personas["renewed"]
    assert persona.person_id == normal.person_id
    assert renewed.serial != normal.cert.serial_number
    renewed.cert.verify_directly_issued_by(test_pki.root_for(2023))


def test_wrong_pin_then_right(open_card, test_pki):
    conn, card = open_card("wrong_then_right")
    persona = test_pki.personas["wrong_then_right"]
    session = JpkiSession(conn)
    with pytest.raises(WrongPinError) as wrong:
        session.verify_auth_pin(pin("0000"))
    assert wrong.value.tries_left == 2
    assert session.auth_pin_tries_left() == 2
    # The layer did not retry by itself: exactly one VERIFY with data reached the card.
    assert len(verify_commands(card)) == 1
    full_auth(session, persona)
    assert session.auth_pin_tries_left() == 3  # a success resets the counter


def test_last_try_is_refused_without_confirmation(open_card, test_pki):
    conn, card = open_card("one_try_left")
    session = JpkiSession(conn)
    with pytest.raises(LastTryNotConfirmedError):
        session.verify_auth_pin(pin(test_pki.personas["one_try_left"].auth_pin))
    assert verify_commands(card) == []
    assert session.auth_pin_tries_left() == 1


def test_last_try_with_confirmation_and_right_pin(open_card, test_pki):
    conn, _ = open_card("one_try_left")
    session = JpkiSession(conn)
    session.verify_auth_pin(pin(test_pki.personas["one_try_left"].auth_pin), last_try_confirmed=True)
    assert session.auth_pin_tries_left() == 3


def test_confirmed_wrong_last_try_blocks_then_nothing_is_sent(open_card):
    conn, card = open_card("one_try_left")
    session = JpkiSession(conn)
    with pytest.raises(PinBlockedError):  # 63C0: the attempt that used up the counter
        session.verify_auth_pin(pin("0000"), last_try_confirmed=True)
    assert session.auth_pin_tries_left() == 0
    with pytest.raises(PinBlockedError):
        session.verify_auth_pin(pin("0000"), last_try_confirmed=True)
    assert len(verify_commands(card)) == 1  # the second attempt never reached the card


@pytest.mark.parametrize("tries_answer", [0x63C0, 0x6984], ids=["63C0", "6984"])
def test_blocked_card(open_card, test_pki, tries_answer):
    # The virtual card answers the tries query of a blocked PIN with 63C0, as OpenSC and jpki/myna expect of
    # real cards; a card answering 6984 there (no source rules it out) must read as blocked all the same.
    conn, card = open_card("blocked", blocked_tries_sw=tries_answer)
    session = JpkiSession(conn)
    assert session.auth_pin_tries_left() == 0
    with pytest.raises(PinBlockedError):
        session.verify_auth_pin(pin(test_pki.personas["blocked"].auth_pin), last_try_confirmed=True)
    assert verify_commands(card) == []
    with pytest.raises(ApduError) as exc:
        session.sign_auth(sha256_digest_info(b"x"))
    assert exc.value.sw == SW.SECURITY_STATUS_NOT_SATISFIED


def test_blocked_answer_6984_to_a_pin_is_pin_blocked(open_card):
    # Even if the tries read were skipped, 6984 on VERIFY maps to PinBlockedError.
    from kiosk.card.apdu import Fid
    from kiosk.card.verify import verify_error

    conn, _ = open_card("blocked")
    session = JpkiSession(conn)
    session.protocol.select_file(Fid.JPKI_AUTH_PIN)
    data, sw = session.protocol.transmit(bytes.fromhex("002000800439393939"))
    assert sw == SW.AUTH_METHOD_BLOCKED
    assert isinstance(verify_error(sw, data), PinBlockedError)


def test_signature_needs_verify_in_this_session(open_card, test_pki):
    conn, _ = open_card("normal")
    session = JpkiSession(conn)
    session.verify_auth_pin(pin("1234"))
    conn.close()  # disconnect resets the card: the verified state must not outlive the patron
    from kiosk.card.pcsc import PcscConnection
    from virtualcard.pcscd import READER_NAME

    with PcscConnection(READER_NAME) as again:
        with pytest.raises(ApduError) as exc:
            JpkiSession(again).sign_auth(sha256_digest_info(b"x"))
    assert exc.value.sw == SW.SECURITY_STATUS_NOT_SATISFIED
    assert "6982" in str(exc.value) and "SECURITY_STATUS_NOT_SATISFIED" in str(exc.value)


def test_different_pins(open_card, test_pki):
    conn, _ = open_card("different_pins")
    persona = test_pki.personas["different_pins"]
    jpki = JpkiSession(conn)
    full_auth(jpki, persona)
    text = TextApSession(jpki.protocol)
    with pytest.raises(WrongPinError) as wrong:
        text.verify_text_pin(pin(persona.auth_pin))
    assert wrong.value.tries_left == 2
    text.verify_text_pin(pin(persona.text_pin))
    four = text.read_basic_four()
    assert (four.name, four.address, four.birth_date, four.sex) == (
        persona.name, persona.address, persona.birth_date, persona.sex,
    )


@pytest.mark.parametrize("key", ["normal", "no_old_link", "wrong_then_right"])
def test_basic_four(open_card, test_pki, key):
    conn, _ = open_card(key)
    persona = test_pki.personas[key]
    text = TextApSession(conn)
    assert text.text_pin_tries_left() == persona.text_tries
    text.verify_text_pin(pin(persona.text_pin))
    four = text.read_basic_four()
    assert (four.name, four.address, four.birth_date, four.sex) == (
        persona.name, persona.address, persona.birth_date, persona.sex,
    )
    assert persona.name not in repr(four)


def test_basic_four_needs_text_pin(open_card):
    conn, _ = open_card("normal")
    with pytest.raises(ApduError) as exc:
        TextApSession(conn).read_basic_four()
    assert exc.value.sw == SW.SECURITY_STATUS_NOT_SATISFIED


def test_pulled_out_mid_read_is_card_removed(open_card, card_server):
    conn, card = open_card("pulled_out")
    session = JpkiSession(conn)
    with pytest.raises(CardRemovedError):
        session.read_auth_certificate()
    assert card.cert_chunks_read == 2
    assert card_server.pulled_out.is_set()


def test_not_a_my_number_card(open_card):
    conn, card = open_card("not_mynumber")
    with pytest.raises(NotMyNumberCardError):
        JpkiSession(conn)
    with pytest.raises(NotMyNumberCardError):
        TextApSession(conn)
    assert card.history[0].startswith(bytes.fromhex("00A4040C0AD392F000260100000001"))


def test_extended_length_reads_certificate_in_one_command(open_card, test_pki):
    conn, card = open_card("normal", extended_length=True)
    cert = JpkiSession(conn).read_auth_certificate()
    assert cert.der == test_pki.personas["normal"].cert_der
    reads = [c for c in card.history if c[1] == 0xB0]
    assert len(reads) == 1 and len(reads[0]) == 7  # 00 B0 00 00 00 LL LL


def test_short_reads_use_the_minimum_number_of_chunks(open_card, test_pki):
    conn, card = open_card("normal")
    assert conn.supports_extended_length is False  # vpcd advertises no extended APDUs
    JpkiSession(conn).read_auth_certificate_der()
    size = len(test_pki.personas["normal"].cert_der)
    reads = [c for c in card.history if c[1] == 0xB0]
    assert len(reads) == -(-size // 256)


def test_t0_style_response_chaining(open_card, test_pki):
    conn, card = open_card("normal", t0_chaining=True)
    session = JpkiSession(conn)
    cert = session.read_auth_certificate()
    assert cert.der == test_pki.personas["normal"].cert_der
    full_auth(session, test_pki.personas["normal"])
    assert any(c[1] == 0xC0 for c in card.history)  # GET RESPONSE was used


def test_sessions_on_one_connection_share_the_selection(open_card, test_pki):
    # Interleaving the two applications must never send a command to the wrong one.
    persona = test_pki.personas["different_pins"]
    conn, card = open_card("different_pins")
    jpki = JpkiSession(conn)
    jpki.verify_auth_pin(pin(persona.auth_pin))
    text = TextApSession(conn)
    text.verify_text_pin(pin(persona.text_pin))
    signature = jpki.sign_auth(sha256_digest_info(b"c"))  # must re-select the JPKI AP first
    persona.cert.public_key().verify(signature, b"c", padding.PKCS1v15(), hashes.SHA256())
    assert text.read_basic_four().name == persona.name
    assert card.history.count(bytes.fromhex("00A4040C0AD392F000260100000001")) == 2


def test_card_is_recognised_by_token_not_atr(open_card, test_pki):
    # A 住基カード-like token behind the My Number ATR: the token decides.
    from virtualcard.card import AID_JPKI, BinaryFile, VirtualCard

    card = VirtualCard.for_persona(test_pki.personas["normal"])
    card.files[(AID_JPKI, 0x0006)] = BinaryFile(b"JPKIAPICCTOKEN".ljust(0x20, b" "))
    conn, _ = open_card(card)
    session = JpkiSession(conn)
    assert not session.is_my_number_card()
    with pytest.raises(NotMyNumberCardError):
        session.check_my_number_card()


def test_connect_finds_the_reader_holding_a_card(open_card):
    from kiosk.card.pcsc import connect, list_readers
    from virtualcard.pcscd import READER_NAME

    open_card("normal")
    assert READER_NAME in list_readers()
    with connect() as conn:
        assert conn.reader == READER_NAME
        assert JpkiSession(conn).is_my_number_card()
