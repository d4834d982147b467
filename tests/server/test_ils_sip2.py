"""The SIP2 client (server/ils/sip2) and the ILS patron source, on bytes and against stand-in ILSs in threads.

The end-to-end tests through the real server over HTTP are in test_ils_sip2_http.py.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pysip2 import PatronInformationRequest, decode_message
from pysip2.codec import calculate_checksum

from server.errors import ApiError
from server.ils.sip2 import checksum, messages
from server.ils.sip2.client import RESEND_REQUEST, IlsUnavailableError, Sip2Client, Sip2Options
from server.ils.sip2.messages import ChecksumError, MessageError
from server.ils.source import standing_from_answer
from server.patrons.expiry import CardStatus
from tests.support.ports import free_port
from tests.support.sip2_ils import acs_status, canned, fixed_64, patron_answer, trailer

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 30, 0)


# -- checksums -----------------------------------------------------------------------------------------
# Known vectors: "990 402.00AY1AZ" -> FCB4 is the example on page 26 of the 3M SIP2 Developers Guide, as
# Evergreen's SIPServer quotes it (evergreen-library-system/SIPServer, t/0001_checksum.t); "97AZ" -> FEF5 is
# the Request ACS Resend of the ceridwen SIP library's test cases (ceridwen-com/ceridwen-standard-interchange-
# protocol-library, messages/ACSResend.java). The login and patron status lines are checked against pysip2's
# own codec, an implementation nobody here wrote.
@pytest.mark.parametrize(("data", "expected"), [
    (b"990 402.00AY1AZ", "FCB4"),
    (b"97AZ", "FEF5"),
    (b"9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ", calculate_checksum(
        b"9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ")),
    (b"2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZ", calculate_checksum(
        b"2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZ")),
])
def test_checksum_matches_the_known_vectors(data: bytes, expected: str) -> None:
    assert checksum.checksum(data) == expected
    assert checksum.verify(data + expected.encode())
    wrong = f"{(int(expected, 16) + 1) & 0xFFFF:04X}"
    assert not checksum.verify(data + wrong.encode())


def test_checksum_is_zero_padded_uppercase_hex() -> None:
    # The sum of b"\xff\xff" is 0x1FE: its two's complement in 16 bits is FE02; b"" sums to 0 -> 0000.
    assert checksum.checksum(b"\xff\xff") == "FE02"
    assert checksum.checksum(b"") == "0000"
    assert RESEND_REQUEST == b"97AZFEF5\r"


# -- building requests -----------------------------------------------------------------------------------
def test_a_patron_information_request_is_read_by_an_independent_codec() -> None:
    command, fixed, fields = messages.patron_information(institution="SAGA", patron="2000000105",
                                                         terminal_password="tp", now=NOW)
    frame = messages.encode(command, fixed, fields, sequence=3, encoding="utf-8")
    assert frame == (b"6300120260615    103000          AOSAGA|AA2000000105|ACtp|AD|AY3AZ"
                     + checksum.checksum(frame[:-5]).encode() + b"\r")
    decoded = decode_message(frame, encoding="utf-8")
    assert isinstance(decoded.message, PatronInformationRequest)
    assert (decoded.message.patron_identifier, decoded.sequence_number) == ("2000000105", 3)


def test_a_value_with_a_delimiter_or_line_end_is_never_sent() -> None:
    for value in ("2000|AC", "2000\rAC"):
        with pytest.raises(ValueError, match="cannot be sent"):
            messages.encode("63", "", [("AA", value)], sequence=0, encoding="utf-8")


# -- parsing answers -----------------------------------------------------------------------------------
def test_an_answer_ended_by_crlf_keeps_unknown_and_repeated_fields_in_order() -> None:
    body = fixed_64() + b"AOSAGA|AA2000000105|AEYamada|BLY|XZvendor thing|AFone|AFtwo|DE20270615|"
    frame = b"\n" + trailer(body, b"63...AY4AZ0000\r", end=b"\r\n")
    answer = messages.parse(frame, encoding="utf-8")
    assert answer.command == "64" and answer.sequence == 4
    assert answer.fields == (("AO", "SAGA"), ("AA", "2000000105"), ("AE", "Yamada"), ("BL", "Y"),
                             ("XZ", "vendor thing"), ("AF", "one"), ("AF", "two"), ("DE", "20270615"))
    assert answer.all("AF") == ["one", "two"] and answer.get("XZ") == "vendor thing" and answer.get("PA") is None


def test_an_answer_without_error_detection_parses() -> None:
    answer = messages.parse(fixed_64() + b"AA2000000105|BLY|\r", encoding="utf-8")
    assert answer.sequence is None and answer.get("BL") == "Y"


def test_a_bad_checksum_or_unknown_message_is_refused() -> None:
    good = trailer(fixed_64() + b"AA2000000105|", b"AY1AZ0000\r")
    bad = good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"0001") + b"\r"
    with pytest.raises(ChecksumError):
        messages.parse(bad, encoding="utf-8")
    with pytest.raises(MessageError, match="unexpected"):
        messages.parse(b"12abc\r", encoding="utf-8")
    with pytest.raises(MessageError, match="shorter"):
        messages.parse(b"64  \r", encoding="utf-8")


def test_patron_status_flags_by_position() -> None:
    answer = messages.parse(fixed_64("Y   Y        Y") + b"AA1|\r", encoding="utf-8")
    assert messages.patron_flags(answer) == {"charge privileges denied", "card reported lost",
                                             "too many items billed"}


# -- what an answer says about the card ----------------------------------------------------------------------
def _standing(body: bytes, field: str = "PA", fmt: str = "%Y%m%d"):  # type: ignore[no-untyped-def]
    answer = messages.parse(body + b"\r", encoding="utf-8")
    return standing_from_answer(answer, card_number="2000000105", today=TODAY, expiry_field=field,
                                expiry_format=fmt)


def test_the_configured_field_and_format_give_the_library_rule() -> None:
    evergreen = _standing(fixed_64() + b"AA2000000105|BLY|PA20270615    000000|", fmt="%Y%m%d    %H%M%S")
    assert (evergreen.expiry.valid_until, evergreen.expiry.status) == (date(2027, 6, 15), CardStatus.VALID)
    # Renewal opens one month before: the server's own rule, on the ILS's date.
    koha = _standing(fixed_64() + b"AA2000000105|PAsomething else|DE2026-07-10|", field="DE", fmt="%Y-%m-%d")
    assert (koha.expiry.renewable_from, koha.expiry.status) == (date(2026, 6, 10), CardStatus.RENEWABLE)
    expired = _standing(fixed_64("Y" + " " * 13) + b"AA2000000105|PA20260614|")
    assert (expired.expiry.status, expired.expiry.days_left, expired.blocked) == (CardStatus.EXPIRED, -1, True)


@pytest.mark.parametrize(("status", "fields", "code"), [
    (" " * 14, b"BLN|", "unknown_patron"),
    ("    Y" + " " * 9, b"BLY|PA20300101|", "patron_inactive"),  # card reported lost: whatever the date
    ("Y" + " " * 13, b"BLY|", "patron_inactive"),  # no date: the flags say its use is stopped
    (" " * 14, b"BLY|", "expiry_unknown"),  # no date and nothing stopped: the counter knows
    (" " * 14, b"BLY|PAnot a date|", "expiry_unknown"),  # a date the format does not read: as if absent
])
def test_without_a_date_the_flags_decide(status: str, fields: bytes, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        _standing(fixed_64(status) + b"AA2000000105|" + fields)
    assert refused.value.code == code


# -- the client against hand-written ILSs ------------------------------------------------------------------
def _client(port: int, **options: object) -> Sip2Client:
    return Sip2Client(Sip2Options(**{"host": "127.0.0.1", "port": port, "timeout_s": 2.0, **options}))  # type: ignore[arg-type]


def _ask(client: Sip2Client, number: str = "2000000105") -> messages.Message:
    return client.ask(lambda: messages.patron_information(institution="SAGA", patron=number, terminal_password="",
                                                          now=NOW), expect="64")


def test_a_koha_style_answer_crlf_ended_with_expiry_in_de() -> None:
    body = fixed_64() + b"AOSAGA|AA2000000105|AEYamada Hanako|BLY|CQN|PA1|DE2027-06-15|"
    with canned(patron_answer(body, end=b"\r\n")) as ils:
        client = _client(ils.port)
        first, second = _ask(client), _ask(client)
        assert first.get("DE") == second.get("DE") == "2027-06-15"
        assert ils.connections == 1  # the pooled connection was reused, its stray LF dropped
        assert [r[:2] for r in ils.requests] == [b"99", b"63", b"63"]
        client.close()


def test_login_when_configured_then_sc_status() -> None:
    def respond(request: bytes) -> bytes | None:
        if request.startswith(b"93"):
            ok = b"CNsc|COpw|CPlobby|" in request
            return trailer(b"94" + (b"1" if ok else b"0"), request)
        return patron_answer(fixed_64() + b"AA2000000105|PA20270615|")(request)

    with canned(respond) as ils:
        assert _ask(_client(ils.port, login_user="sc", login_password="pw", location_code="lobby")).get("PA")
        assert [r[:2] for r in ils.requests] == [b"93", b"99", b"63"]
        with pytest.raises(IlsUnavailableError, match="login refused"):
            _ask(_client(ils.port, login_user="sc", login_password="wrong"))


def test_an_ils_that_answers_nothing_times_out() -> None:
    with canned(lambda request: None) as ils:
        with pytest.raises(IlsUnavailableError) as failed:
            _ask(_client(ils.port, timeout_s=0.5))
        assert failed.value.reason == "timeout"


def test_a_bad_checksum_asks_for_a_resend_once_then_fails() -> None:
    def respond(request: bytes) -> bytes | None:
        if request.startswith(b"99"):
            return acs_status(request)
        good = trailer(fixed_64() + b"AA2000000105|PA20270615|", b"AY0AZ0000\r")
        return good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"0001") + b"\r"

    with canned(respond) as ils:
        with pytest.raises(IlsUnavailableError) as failed:
            _ask(_client(ils.port))
        assert failed.value.reason == "bad checksum"
        assert [r[:2] for r in ils.requests] == [b"99", b"63", b"97"]


def test_an_sc_resend_request_gets_the_request_again() -> None:
    answered: list[bytes] = []

    def respond(request: bytes) -> bytes | None:
        if request.startswith(b"63") and not answered:
            answered.append(request)
            return b"96AZFEF6\r"  # "could not read that": the ILS's 96
        return patron_answer(fixed_64() + b"AA2000000105|PA20270615|")(request)

    with canned(respond) as ils:
        assert _ask(_client(ils.port)).get("PA") == "20270615"
        assert [r[:2] for r in ils.requests] == [b"99", b"63", b"63"]
        assert ils.requests[1] == ils.requests[2]


def test_a_connection_the_ils_dropped_is_replaced_once() -> None:
    with canned(patron_answer(fixed_64() + b"AA2000000105|PA20270615|")) as ils:
        client = _client(ils.port)
        _ask(client)
        ils.drop_connections()
        assert _ask(client).get("PA") == "20270615"
        assert ils.connections == 2


def test_a_refused_connection() -> None:
    with pytest.raises(IlsUnavailableError) as failed:
        _ask(_client(free_port()))
    assert failed.value.reason == "connection refused"


def test_the_probe_prints_the_raw_answer_and_the_verdict(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from server.ils import probe

    body = fixed_64() + b"AOSAGA|AA2000000121|BLY|PAsomething else|DE2026-07-01|XZkept|"
    with canned(patron_answer(body)) as ils:
        for name, value in {"SERVER_SIP2_HOST": "127.0.0.1", "SERVER_SIP2_PORT": str(ils.port),
                            "SERVER_SIP2_EXPIRY_FIELD": "DE", "SERVER_SIP2_EXPIRY_FORMAT": "%Y-%m-%d",
                            "SERVER_TODAY": "2026-06-15"}.items():
            monkeypatch.setenv(name, value)
        assert probe.main(["2000000121"]) == 0
    out = capsys.readouterr().out
    assert "  DE '2026-07-01'" in out and "  XZ 'kept'" in out
    assert "would answer: renewable: valid until 2026-07-01, renewable from 2026-06-01" in out


def test_tls_checks_the_ils_certificate_and_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import ssl

    from tests.security.tls_certs import make_tls_files

    files = make_tls_files(tmp_path, label="ils")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert_file, files.key_file)
    with canned(patron_answer(fixed_64() + b"AA2000000105|PA20270615|"), tls=context) as ils:
        assert _ask(_client(ils.port, tls=True, tls_ca_file=str(files.ca_file))).get("PA") == "20270615"
        # The system's CAs do not know the ILS's private CA; a name the certificate does not hold.
        for options in ({"tls": True},
                        {"tls": True, "tls_ca_file": str(files.ca_file), "tls_server_name": "ils.example"}):
            with pytest.raises(IlsUnavailableError) as failed:
                _ask(_client(ils.port, **options))
            assert failed.value.reason == "TLS failure"
        # Plain SIP2 to a TLS port gets no SIP2 answer.
        with pytest.raises(IlsUnavailableError):
            _ask(_client(ils.port, timeout_s=0.5))
