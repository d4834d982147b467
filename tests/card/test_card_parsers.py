"""Strict, bounded parsers and the status-word mapping, with unit cases and seeded Hypothesis fuzzing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.card import SW, ApduError, MalformedDataError, PinBlockedError, WrongPinError
from kiosk.card.apdu import encode
from kiosk.card.der import certificate_size
from kiosk.card.errors import sw_name
from kiosk.card.text_ap import parse_basic_four
from kiosk.card.tlv import parse_all, read_tlv, total_size
from kiosk.card.verify import verify_error
from virtualcard.card import encode_basic_four, parse_command, tlv

FUZZ = settings(derandomize=True, max_examples=400, deadline=None)
GOOD_FOUR = encode_basic_four("佐賀 花子", "佐賀県鳥栖市本町一丁目1番1号", "19900102", "2")


# --- TLV ---------------------------------------------------------------------

def test_basic_four_round_trip_and_padding_ignored():
    four = parse_basic_four(GOOD_FOUR + b"\xff" * 40)
    assert (four.name, four.birth_date, four.sex) == ("佐賀 花子", dt.date(1990, 1, 2), "2")


def test_basic_four_fields_in_any_order_are_parsed_by_tag():
    body = tlv(0xDF25, b"1") + tlv(0xDF24, b"20000229") + tlv(0xDF23, "住所".encode()) + tlv(0xDF22, "氏名".encode())
    four = parse_basic_four(tlv(0xFF20, body))
    assert (four.name, four.address, four.birth_date, four.sex) == ("氏名", "住所", dt.date(2000, 2, 29), "1")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff",
        b"\xff\x20",
        b"\xff\x20\x05\xdf",  # truncated value
        b"\xff\x20\x80",  # indefinite length
        b"\xff\x20\x84\x00\x00\x00\x01\x00",  # 4 length bytes
        b"\xff\x20\x83\xff\xff\xff",  # oversized
        b"\xff\xff\xff\xff\x01\x00",  # tag longer than 3 bytes
        GOOD_FOUR[:-1],
        tlv(0xFF21, b""),  # wrong outer tag
        tlv(0xFF20, tlv(0xDF22, b"x")),  # missing fields
        tlv(0xFF20, tlv(0xDF22, b"\xff\xfe") + tlv(0xDF23, b"a") + tlv(0xDF24, b"19900101") + tlv(0xDF25, b"1")),
        tlv(0xFF20, tlv(0xDF22, b"a") + tlv(0xDF23, b"a") + tlv(0xDF24, b"19901301") + tlv(0xDF25, b"1")),
        tlv(0xFF20, tlv(0xDF22, b"a") + tlv(0xDF23, b"a") + tlv(0xDF24, b"19900101") + tlv(0xDF25, b"3")),
        tlv(0xFF20, tlv(0xDF22, b"a") + tlv(0xDF22, b"b") + tlv(0xDF23, b"a") + tlv(0xDF24, b"19900101")),
    ],
)
def test_basic_four_rejects_malformed(data):
    with pytest.raises(MalformedDataError):
        parse_basic_four(data)


@FUZZ
@given(st.binary(max_size=600))
def test_tlv_parsers_on_garbage_raise_only_malformed(data):
    for parse in (parse_basic_four, parse_all, read_tlv, total_size):
        try:
            parse(data)
        except MalformedDataError:
            pass


@FUZZ
@given(st.integers(min_value=0, max_value=len(GOOD_FOUR) - 1))
def test_every_truncation_of_basic_four_is_rejected(cut):
    with pytest.raises(MalformedDataError):
        parse_basic_four(GOOD_FOUR[:cut])


@FUZZ
@given(st.lists(st.tuples(st.sampled_from([0x5A, 0xDF22, 0xDF8101]), st.binary(max_size=300)), max_size=8))
def test_tlv_round_trip(items):
    def encode_item(tag: int, value: bytes) -> bytes:
        raw = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
        from virtualcard.card import ber_length

        return raw + ber_length(len(value)) + value

    blob = b"".join(encode_item(t, v) for t, v in items)
    parsed = parse_all(blob)
    assert [(p.tag, p.value) for p in parsed] == items


@FUZZ
@given(st.binary(min_size=1, max_size=64))
def test_declared_length_beyond_data_never_over_reads(value):
    header = b"\xdf\x22\x82" + (len(value) + 1).to_bytes(2, "big")
    with pytest.raises(MalformedDataError):
        read_tlv(header + value)


# --- DER header --------------------------------------------------------------

def test_certificate_size_forms():
    assert certificate_size(b"\x30\x82\x04\x00") == 1028
    assert certificate_size(b"\x30\x81\x80") == 131
    assert certificate_size(b"\x30\x05") == 7


@pytest.mark.parametrize(
    "header",
    [b"", b"\x30", b"\x31\x82\x04\x00", b"\x30\x80", b"\x30\x82\x00\x10", b"\x30\x81\x05",
     b"\x30\x83\x01\x00\x00", b"\x30\x82\x20\x00", b"\x30\x84\x00\x00\x04\x00"],
)
def test_certificate_size_rejects(header):
    with pytest.raises(MalformedDataError):
        certificate_size(header)


@FUZZ
@given(st.binary(max_size=12))
def test_certificate_size_is_bounded_or_malformed(header):
    try:
        size = certificate_size(header)
    except MalformedDataError:
        return
    assert 2 <= size <= 8 * 1024


def test_certificate_parse_rejects_garbage_with_valid_header():
    from kiosk.card import AuthCertificate

    with pytest.raises(MalformedDataError):
        AuthCertificate.from_der(b"\x30\x03\x02\x01\x00")
    with pytest.raises(MalformedDataError):
        AuthCertificate.from_der(b"\x30\x05\x02\x01\x00")  # shorter than declared


# --- status words ------------------------------------------------------------

@FUZZ
@given(st.integers(min_value=0, max_value=0xFFFF))
def test_verify_status_word_mapping(sw):
    error = verify_error(sw)
    if sw == 0x9000:
        assert error is None
    elif sw in (0x63C0, 0x6984):
        assert isinstance(error, PinBlockedError)
    elif sw & 0xFFF0 == 0x63C0:
        assert isinstance(error, WrongPinError) and error.tries_left == sw & 0xF and error.tries_left > 0
    else:
        assert isinstance(error, ApduError) and error.sw == sw
        assert f"{sw:04X}" in str(error)


@FUZZ
@given(st.integers(min_value=0, max_value=0xFFFF))
def test_every_sw_has_a_name(sw):
    name = sw_name(sw)
    assert name.startswith(f"{sw:04X}")
    if sw in SW._value2member_map_:
        assert SW(sw).name in name


# --- APDU encoding (kiosk side) against the virtual card's parser --------------

@FUZZ
@given(
    st.binary(max_size=300),
    st.one_of(st.none(), st.integers(min_value=1, max_value=65536)),
    st.booleans(),
)
def test_apdu_encoding_round_trips_through_card_parser(data, le, extended):
    command = parse_command(bytes(encode(0x00, 0xB0, 1, 2, data, le, extended)))
    assert (command.cla, command.ins, command.p1, command.p2) == (0, 0xB0, 1, 2)
    assert command.data == data and command.le == le


@FUZZ
@given(st.binary(max_size=40))
def test_card_parser_rejects_or_parses_any_bytes(raw):
    try:
        parse_command(raw)
    except ValueError:
        pass
