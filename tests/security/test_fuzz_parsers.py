"""Fuzzing of the parsers tests/card and tests/kiosk do not already fuzz: certificates (kiosk and server),
response APDU splitting, the whitelist gate on command APDUs, and the virtual card's command handling.

Already fuzzed elsewhere (not repeated): BER-TLV, the basic four, the DER header, status words and
command APDU encoding (tests/card/test_card_parsers.py), whatever a hostile card answers to every card
step (tests/card/test_card_hostile_card.py), barcode input (tests/kiosk/test_cardnumber.py), API bodies
(tests/server/test_api_fuzz.py). Seeded and bounded in `make test`; `make fuzz` runs many more.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.card import apdu
from kiosk.card.apdu import ALLOWED_FILES, Aid, split_response
from kiosk.card.certificate import AuthCertificate
from kiosk.card.errors import ForbiddenFileError, MalformedDataError
from kiosk.card.protocol import CardProtocol
from server.errors import ApiError
from server.jpki import TrustStore, parse_certificate
from tests.security.fuzzing import examples
from virtualcard.card import CardPulledOut, VirtualCard

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def cert_der(test_pki) -> bytes:  # type: ignore[no-untyped-def]
    return test_pki.personas["normal"].cert_der


@pytest.fixture(scope="module")
def trust(test_pki) -> TrustStore:  # type: ignore[no-untyped-def]
    return TrustStore(roots=list(test_pki.roots), crl_paths=list(test_pki.crl_paths))


def _mutations() -> st.SearchStrategy:
    """Edits of a real certificate: byte flips, a cut, inserted bytes (each may be empty)."""
    return st.tuples(
        st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 255)), max_size=6),
        st.one_of(st.none(), st.integers(0, 2000)),
        st.tuples(st.integers(0, 2000), st.binary(max_size=8)),
    )


def _mutate(der: bytes, edits) -> bytes:  # type: ignore[no-untyped-def]
    flips, cut, (at, inserted) = edits
    data = bytearray(der)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % len(data)]
    at = at % (len(data) + 1)
    return bytes(data[:at] + inserted + data[at:])


@settings(max_examples=examples(300))
@given(st.binary(max_size=400))
def test_kiosk_certificate_parser_on_garbage_raises_only_malformed(data: bytes) -> None:
    try:
        AuthCertificate.from_der(data)
    except MalformedDataError:
        pass


@settings(max_examples=examples(150))
@given(edits=_mutations())
def test_mutated_certificate_parses_or_is_malformed_on_kiosk_and_server(cert_der: bytes, trust: TrustStore,
                                                                        edits) -> None:  # type: ignore[no-untyped-def]
    data = _mutate(cert_der, edits)
    try:
        parsed = AuthCertificate.from_der(data)
    except MalformedDataError:
        parsed = None
    if parsed is not None:
        assert parsed.der == data and parsed.not_before <= parsed.not_after
    # The server sees the same bytes from the kiosk: an ApiError with a patron message, never a crash.
    try:
        cert = parse_certificate(data)
        identity = trust.verify(cert, at=NOW)
    except ApiError as error:
        assert error.status == 422, error.code
        return
    # Accepted only when the issuer's signature over the (possibly edited) certificate still holds.
    assert identity.serial and data != b""


def test_the_unmutated_certificate_is_accepted_by_both(cert_der: bytes, trust: TrustStore) -> None:
    # The control of the mutation test: the parsers accept what they should.
    assert AuthCertificate.from_der(cert_der).serial == parse_certificate(cert_der).serial_number
    assert trust.verify(parse_certificate(cert_der), at=NOW).serial


@settings(max_examples=examples(200))
@given(st.binary(max_size=300))
def test_response_apdu_split_is_total_or_a_value_error(response: bytes) -> None:
    try:
        data, sw = split_response(response)
    except ValueError:
        assert len(response) < 2
        return
    assert data + sw.to_bytes(2, "big") == response


class _NoCard:
    supports_extended_length = True

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:  # pragma: no cover - never reached
        raise AssertionError("the gate let a command through to the card")


_AIDS = [bytes(a) for a in Aid] + [bytes.fromhex("D3921000310001010402"), bytes.fromhex("D3921000310001010401")]
_commands = st.one_of(
    st.binary(max_size=40),
    st.builds(lambda cla, ins, p1, p2, data: bytes(apdu.encode(cla, ins, p1, p2, data)),
              st.sampled_from([0x00, 0x80, 0x0C, 0x84, 0x01]),
              st.sampled_from([0xA4, 0xB0, 0xB1, 0x20, 0x2A, 0xC0, 0x24, 0x2C, 0xD6, 0x0E]),
              st.integers(0, 255), st.integers(0, 255),
              st.one_of(st.sampled_from(_AIDS), st.binary(min_size=2, max_size=2), st.binary(max_size=20))),
)


@settings(max_examples=examples(400))
@given(selected=st.one_of(st.none(), st.sampled_from(_AIDS)), command=_commands)
def test_whitelist_gate_never_lets_a_forbidden_command_through(selected: bytes | None, command: bytes) -> None:
    gate = CardProtocol(_NoCard())
    gate.current_aid = selected
    try:
        gate.check_allowed(command)
    except ForbiddenFileError:
        return
    cla, ins, p1 = command[0], command[1], command[2]
    assert cla in (0x00, 0x80) and ins in (0xA4, 0xB0, 0x20, 0x2A, 0xC0)
    if ins == 0xA4:
        body = bytes(command[5:5 + command[4]]) if len(command) > 5 else b""
        if p1 == 0x04:
            assert body in {bytes(a) for a in Aid}  # never the 券面AP
        else:
            assert (selected, int.from_bytes(body, "big")) in ALLOWED_FILES  # never EF 0001 (個人番号)


@settings(max_examples=examples(300))
@given(st.lists(st.binary(max_size=300), max_size=12))
def test_virtual_card_answers_any_commands_without_revealing_the_my_number(test_pki, commands) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    card = VirtualCard.for_persona(persona)
    card.power_on()
    for command in commands:
        try:
            response = card.process(command)
        except CardPulledOut:  # pragma: no cover - "normal" never slips out
            raise AssertionError("the normal persona pulled its card") from None
        assert len(response) >= 2
        # Random bytes cannot know the PIN: the fake 個人番号 never comes out.
        assert persona.fake_my_number.encode() not in response


def test_certificate_with_an_invalid_version_is_malformed_on_kiosk_and_server(cert_der: bytes) -> None:
    # Found by a long fuzz run: cryptography raises InvalidVersion, which is not a ValueError.
    version = b"\xa0\x03\x02\x01\x02"  # [0] EXPLICIT INTEGER 2 (v3), first thing in the TBSCertificate
    assert cert_der.count(version) == 1
    bad = cert_der.replace(version, version[:-1] + b"\x05")
    with pytest.raises(MalformedDataError):
        AuthCertificate.from_der(bad)
    with pytest.raises(ApiError) as info:
        parse_certificate(bad)
    assert info.value.code == "malformed_certificate"
