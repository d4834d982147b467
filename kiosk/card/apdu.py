"""Command APDU encoding (ISO 7816-4 short and extended forms) and the card's constants."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

CLA_ISO = 0x00
CLA_PROPRIETARY = 0x80

INS_VERIFY = 0x20
INS_COMPUTE_SIGNATURE = 0x2A
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_GET_RESPONSE = 0xC0

P1_SELECT_EF = 0x02
P1_SELECT_AID = 0x04
P2_NO_FCI = 0x0C
P2_PIN_OF_CURRENT_EF = 0x80
P2_SIGN_WITH_CURRENT_EF = 0x80

SHORT_MAX_LE = 256
EXTENDED_MAX_LE = 65536


class Aid(bytes, Enum):
    """Application identifiers the kiosk may select; there is deliberately no 券面AP entry."""

    JPKI = bytes.fromhex("D392F000260100000001")
    TEXT = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP


class Fid(Enum):
    """(application, file id) pairs the kiosk may select: the closed whitelist.

    The 入力補助AP's EF 0001 (個人番号), its PIN A/B files and every file of the
    券面AP are absent on purpose, so no code path can name them. So is the JPKI
    AP's whole 署名用 side, which every card also holds: the password EF 001B,
    the key EF 001A, the signing certificate EF 0001 (it carries the holder's
    name, birth date, sex and address) and its CA certificate EF 0002. The kiosk
    only ever uses the 利用者証明用 side.
    """

    JPKI_TOKEN = (Aid.JPKI, 0x0006)
    JPKI_AUTH_CERT = (Aid.JPKI, 0x000A)
    JPKI_AUTH_CA_CERT = (Aid.JPKI, 0x000B)
    JPKI_AUTH_KEY = (Aid.JPKI, 0x0017)
    JPKI_AUTH_PIN = (Aid.JPKI, 0x0018)
    TEXT_PIN = (Aid.TEXT, 0x0011)
    TEXT_BASIC_FOUR = (Aid.TEXT, 0x0002)

    @property
    def aid(self) -> Aid:
        """The application this file lives in."""
        return self.value[0]

    @property
    def fid(self) -> int:
        """The two-byte file identifier."""
        return self.value[1]


ALLOWED_FILES: frozenset[tuple[bytes, int]] = frozenset((bytes(f.aid), f.fid) for f in Fid)


@dataclass(frozen=True)
class Apdu:
    """A command APDU; `le` is None for no Le, else 1..65536."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def encode(self, extended: bool = False) -> bytes:
        """Encode in short form, or extended form when asked or when a field needs it."""
        return bytes(encode(self.cla, self.ins, self.p1, self.p2, self.data, self.le, extended))


def encode(
    cla: int,
    ins: int,
    p1: int,
    p2: int,
    data: bytes | bytearray = b"",
    le: int | None = None,
    extended: bool = False,
) -> bytearray:
    """Encode a command APDU into a fresh bytearray (so a PIN-bearing APDU can be zeroed)."""
    if le is not None and not 1 <= le <= EXTENDED_MAX_LE:
        raise ValueError(f"Le out of range: {le}")
    if len(data) > 65535:
        raise ValueError("data too long")
    extended = extended or len(data) > 255 or (le is not None and le > SHORT_MAX_LE)
    out = bytearray((cla, ins, p1, p2))
    if not extended:
        if data:
            out.append(len(data))
            out += data
        if le is not None:
            out.append(le & 0xFF)  # 256 is encoded as 00
        return out
    if data:
        out += bytes((0, len(data) >> 8, len(data) & 0xFF))
        out += data
    if le is not None:
        if not data:
            out.append(0)  # Extended Le without data needs its own leading zero
        out += bytes(((le >> 8) & 0xFF, le & 0xFF))  # 65536 is encoded as 00 00
    return out


def split_response(response: bytes) -> tuple[bytes, int]:
    """Split a response APDU into (data, sw)."""
    if len(response) < 2:
        raise ValueError(f"response too short: {len(response)} bytes")
    return bytes(response[:-2]), (response[-2] << 8) | response[-1]
