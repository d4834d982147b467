"""What real cards answer that the plain virtual card does not, through this run's private pcscd: the kiosk's
migration read (token, certificate, both tries counters), the birth date read and the signature work with
each variant (docs/card-interop.md, "Card variants").

Each variant is a VirtualCard option: another ATR (a contactless reader builds its own), FCI data answered to
a SELECT with P2=0C (as 9000 with a body, or announced with 61xx), a small response buffer (fewer bytes than
asked, or 6Cxx "wrong Le, use xx"), T=0-style 61xx chaining, and a card without extended length behind a
reader that has it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.api.client import MigrationChallenge
from kiosk.card import Pin
from kiosk.card.pcsc import PcscConnection
from kiosk.effects.card import CardSessions, read_birth_date, sign_challenge
from kiosk.effects.migration import MigrationWork
from kiosk.flows import card_steps as cs
from virtualcard.card import CONTACTLESS_ATR, MYNUMBER_ATR
from virtualcard.pcscd import READER_NAME

INS_SELECT, INS_READ_BINARY, INS_GET_RESPONSE = 0xA4, 0xB0, 0xC0
CERT_EF = bytes.fromhex("00A4020C02000A")
SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")


@dataclass(frozen=True)
class Variant:
    """A card option set, and whether the reader advertises extended length."""

    options: dict[str, object]
    reader_extended: bool = False


VARIANTS = {
    "contactless_atr": Variant({"atr": CONTACTLESS_ATR}),
    "select_fci_body": Variant({"select_fci": "body"}),
    "select_fci_61xx": Variant({"select_fci": "61xx"}),
    "t0_chaining": Variant({"t0_chaining": True}),
    "read_limit_short": Variant({"read_limit": 128}),
    "read_limit_6cxx": Variant({"read_limit": 0xE0, "read_limit_sw": "6Cxx"}),
    "extended": Variant({}, reader_extended=True),
    "extended_card_refuses": Variant({"extended_length": False}, reader_extended=True),
    "extended_small_buffer": Variant({"read_limit": 64}, reader_extended=True),
}


class ChallengeOnly:
    """The one server call signing makes before the card signs: a fixed challenge."""

    challenge = b"variant challenge"

    def migration_challenge(self) -> MigrationChallenge:
        return MigrationChallenge("c-1", self.challenge, dt.datetime.now(dt.UTC))


def sessions(reader_extended: bool) -> CardSessions:
    """One PC/SC connection per effect, as the app opens them (the reader's extended length set)."""
    return CardSessions(READER_NAME, connect=lambda: PcscConnection(READER_NAME, extended_length=reader_extended)
                        .connect())


@pytest.mark.parametrize("name", list(VARIANTS))
def test_migration_read_and_signature_work_with_each_card_variant(insert_card, test_pki, name: str) -> None:
    variant = VARIANTS[name]
    persona = test_pki.personas["normal"]
    card = insert_card("normal", **variant.options)
    cards = sessions(variant.reader_extended)

    read = MigrationWork(api=None, cards=cards, today=lambda: date(2026, 6, 15)).read_card(cs.ReadCard())  # type: ignore[arg-type]
    assert isinstance(read, cs.CardRead), read
    assert read.card.certificate_der == persona.cert_der
    assert (read.card.auth_tries, read.card.text_tries) == (3, 3)
    read_commands = list(card.history)

    card.history.clear()
    with cards.open() as connection:
        assert read_birth_date(connection, Pin(bytearray(persona.text_pin.encode())), False) == persona.birth_date
        signed = sign_challenge(ChallengeOnly(), connection, Pin(bytearray(persona.auth_pin.encode())), False,
                                persona.birth_date)
    persona.cert.public_key().verify(signed.signature, ChallengeOnly.challenge, padding.PKCS1v15(),
                                     hashes.SHA256())
    _assert_variant_was_exercised(name, read_commands, card.history, len(persona.cert_der))
    with PcscConnection(READER_NAME) as raw:
        assert raw.atr == (CONTACTLESS_ATR if name == "contactless_atr" else MYNUMBER_ATR)
        data, sw = raw.send_and_receive(SELECT_JPKI)
        expected = {"select_fci_body": (True, 0x90), "select_fci_61xx": (False, 0x61)}.get(name, (False, 0x90))
        assert (data != b"", sw >> 8) == expected  # the SELECT's answer as this variant gives it


def _cert_reads(commands: list[bytes]) -> list[bytes]:
    """The READ BINARYs sent while the certificate EF was selected."""
    start = commands.index(CERT_EF)
    reads = []
    for command in commands[start + 1:]:
        if command[1] == INS_SELECT:
            break
        if command[1] == INS_READ_BINARY:
            reads.append(command)
    return reads


def _assert_variant_was_exercised(name: str, read: list[bytes], sign: list[bytes], cert_size: int) -> None:
    """The card really answered as the variant says (else the test above proves nothing new)."""
    reads = _cert_reads(read)
    if name in ("contactless_atr", "read_limit_short", "select_fci_body"):
        assert not any(c[1] == INS_GET_RESPONSE for c in read + sign)
    if name == "select_fci_61xx":
        after_select = [read[i + 1][1] for i, c in enumerate(read[:-1]) if c[1] == INS_SELECT]
        assert after_select and all(ins == INS_GET_RESPONSE for ins in after_select)
    elif name == "t0_chaining":
        assert any(c[1] == INS_GET_RESPONSE for c in read) and any(c[1] == INS_GET_RESPONSE for c in sign)
    elif name == "read_limit_short":
        assert len(reads) == math.ceil(cert_size / 128)
    elif name == "read_limit_6cxx":
        # Each 256-byte ask is answered 6CE0 and sent again with Le=E0.
        assert [c[4] for c in reads[:2]] == [0x00, 0xE0]
        assert sum(1 for c in reads if c[4] == 0xE0) == cert_size // 0xE0
    elif name == "extended":
        assert len(reads) == 1 and len(reads[0]) == 7
    elif name == "extended_card_refuses":
        # One extended READ answered 6700, then 256-byte reads; the later basic-four read asks short at once.
        assert len(reads[0]) == 7 and all(len(c) == 5 for c in reads[1:])
        assert len(reads) == 1 + math.ceil(cert_size / 256)
        # A new connection asks extended again once (the card may be another one), then reads short.
        basic_four_reads = [len(c) for c in sign if c[1] == INS_READ_BINARY]
        assert basic_four_reads[0] == 7 and set(basic_four_reads[1:]) == {5}
    elif name == "extended_small_buffer":
        assert len(reads) == math.ceil(cert_size / 64) and len(reads[0]) == 7  # the last ≤ 256 go short
