"""PINs never reach any log output, even at TRAFFIC level, and their bytearray is zeroed after use."""

from __future__ import annotations

import logging

import pytest

from kiosk.card import TRAFFIC, JpkiSession, Pin, TextApSession, WrongPinError, sha256_digest_info


# Distinct PINs of the personas used here, in every spelling a log could contain.
def spellings(pin: str) -> list[str]:
    raw = pin.encode()
    return [pin, raw.hex(), raw.hex().upper(), raw.hex(" "), raw.hex(" ").upper(), repr(list(raw))[1:-1]]


def all_log_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
    return "\n".join(parts) + caplog.text


def test_no_pin_in_logs_at_any_level(open_card, test_pki, caplog):
    persona = test_pki.personas["different_pins"]  # auth 1234, 入力補助 5678
    caplog.set_level(1)  # everything, TRAFFIC (5) included
    conn, _ = open_card("different_pins")
    jpki = JpkiSession(conn)
    auth_pin = Pin(bytearray(persona.auth_pin.encode()))
    jpki.verify_auth_pin(auth_pin)
    jpki.sign_auth(sha256_digest_info(b"c"))
    text = TextApSession(jpki.protocol)
    wrong = Pin(bytearray(b"9087"))
    with pytest.raises(WrongPinError):
        text.verify_text_pin(wrong)
    text.verify_text_pin(Pin(bytearray(persona.text_pin.encode())))
    text.read_basic_four()

    traffic = [r for r in caplog.records if r.levelno == TRAFFIC]
    assert any("<4 bytes redacted>" in r.getMessage() for r in traffic)  # the VERIFYs were logged...
    logged = all_log_text(caplog)
    for secret in ("1234", "5678", "9087"):
        for spelling in spellings(secret):
            assert spelling not in logged, f"PIN spelled {spelling!r} appears in the log"
    # ...and so was no personal data from the responses.
    assert persona.name not in logged and persona.address not in logged


def test_pin_bytearray_is_zeroed_after_success_and_failure(open_card, test_pki):
    conn, _ = open_card("wrong_then_right")
    persona = test_pki.personas["wrong_then_right"]
    jpki = JpkiSession(conn)
    digits = bytearray(b"0000")
    with pytest.raises(WrongPinError):
        jpki.verify_auth_pin(Pin(digits))
    assert digits == bytearray(4)
    digits = bytearray(persona.auth_pin.encode())
    pin = Pin(digits)
    jpki.verify_auth_pin(pin)
    assert digits == bytearray(4) and pin.consumed
    with pytest.raises(ValueError):
        jpki.verify_auth_pin(pin)  # a zeroed PIN cannot be sent again


def test_pin_is_zeroed_even_when_refused_before_sending(open_card):
    from kiosk.card import LastTryNotConfirmedError

    conn, _ = open_card("one_try_left")
    digits = bytearray(b"1357")
    with pytest.raises(LastTryNotConfirmedError):
        JpkiSession(conn).verify_auth_pin(Pin(digits))
    assert digits == bytearray(4)


def test_pin_type_rules():
    with pytest.raises(TypeError):
        Pin("1234")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Pin(b"1234")  # type: ignore[arg-type]
    bad = bytearray(b"12a4")
    with pytest.raises(ValueError):
        Pin(bad)
    assert bad == bytearray(4)  # even a rejected PIN is wiped
    pin = Pin(bytearray(b"4321"))
    assert "4321" not in repr(pin) and "4321" not in str(pin)
    logging.getLogger("test").warning("%s %r", pin, pin)
