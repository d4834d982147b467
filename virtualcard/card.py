"""A transport-independent virtual My Number card: `VirtualCard.process(apdu) -> response`.

It answers the command set of ../shared/reference/jpki-apdu.md with real status
words: applications by AID, EFs, READ BINARY (short and extended Le), PIN EFs
with tries counters and blocking, a security status reset at power off, and
COMPUTE DIGITAL SIGNATURE that pads the DigestInfo itself (PKCS#1 v1.5 type 01)
and signs with a real RSA-2048 key. The JPKI AP holds the real card's whole file
set, 利用者証明用 and 署名用 sides, so that clients nobody here wrote (OpenSC's
`jpki` driver) bind it. It also holds what the kiosk must never touch (the
署名用 side, the 入力補助AP's EF 0001 with a fake 個人番号, and the 券面AP), so a
test can prove they are never selected.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from virtualcard.personas import MAX_TRIES, SIGN_MAX_TRIES, Persona

MYNUMBER_ATR = bytes.fromhex("3BE000FF8131FE4514")
OTHER_ATR = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")  # a contactless memory card
# The same card behind a contactless reader, which builds its own ATR (PC/SC part 3, ISO 14443-4 type B,
# zero ATQB application data): the kiosk must work with an ATR that is not OpenSC's `jpki_atrs` entry.
CONTACTLESS_ATR = bytes.fromhex("3B888001000000007181810078")
# Made up: no source gives the next card's ATR, and the kiosk does not read ATRs to tell generations apart.
NEXT_GENERATION_ATR = bytes.fromhex("3BE000FF8131FE4528")

AID_JPKI = bytes.fromhex("D392F000260100000001")
AID_TEXT = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
AID_VISUAL = bytes.fromhex("D3921000310001010402")  # 券面AP
AID_OTHER = bytes.fromhex("A000000003000000")  # what the non-My-Number card holds
AID_NEXT_GENERATION = bytes.fromhex("D392F000260200000001")  # made up: the newer card's second application

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_LOGICAL_CHANNEL = 0x6881
SW_INCOMPATIBLE = 0x6981
SW_SECURITY = 0x6982
SW_BLOCKED = 0x6984
SW_CONDITIONS = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_INCORRECT_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_P1P2 = 0x6A86
SW_REFERENCE_NOT_FOUND = 0x6A88  # a PIN never set (face-authentication-only card): inferred, card-interop.md
SW_OFFSET = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00

TOKEN = b"JPKIAPICCTOKEN2".ljust(0x20, b" ")
NEXT_GENERATION_TOKEN = b"JPKIAPICCTOKEN3".ljust(0x20, b" ")  # made up: a token no reader knows yet
CERT_EF_SIZE = 2048  # EFs are allocated larger than their content; the reader must use the DER length


class CardPulledOut(Exception):  # noqa: N818 (an event, not an error of the card)
    """The persona's card is pulled out now: the transport must drop the line without answering."""


class CardWentMute(Exception):  # noqa: N818 (an event, not an error of the card)
    """The card never answers this command: the transport must stay silent until the card is taken out."""


@dataclass
class PinFile:
    """A PIN EF: its value (None: never set, as on a face-authentication-only card) and tries left."""

    value: bytes | None
    tries: int
    max_tries: int = MAX_TRIES


@dataclass
class BinaryFile:
    """A transparent EF; `guard` is the PIN EF that must be verified first, if any."""

    content: bytes
    guard: tuple[bytes, int] | None = None


@dataclass
class KeyFile:
    """A private key EF usable for COMPUTE DIGITAL SIGNATURE once `guard` is verified."""

    key: rsa.RSAPrivateKey
    guard: tuple[bytes, int]


@dataclass
class Command:
    """A parsed command APDU (le: None for no Le, else 1..65536)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    extended: bool


def parse_command(apdu: bytes) -> Command:
    """Parse ISO 7816-4 cases 1-4, short and extended; ValueError when malformed."""
    if len(apdu) < 4:
        raise ValueError("shorter than a header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None, False)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:  # short Lc
        lc = body[0]
        if len(body) == 1 + lc:
            return Command(cla, ins, p1, p2, bytes(body[1:]), None, False)
        if len(body) == 2 + lc:
            return Command(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256, False)
        raise ValueError("Lc does not match the data")
    # Extended: 00 then two bytes.
    if len(body) == 3:
        return Command(cla, ins, p1, p2, b"", ((body[1] << 8) | body[2]) or 65536, True)
    if len(body) < 3:
        raise ValueError("bad extended length")
    lc = (body[1] << 8) | body[2]
    rest = body[3:]
    if len(rest) == lc:
        return Command(cla, ins, p1, p2, bytes(rest), None, True)
    if len(rest) == lc + 2:
        return Command(cla, ins, p1, p2, bytes(rest[:lc]), ((rest[-2] << 8) | rest[-1]) or 65536, True)
    raise ValueError("extended Lc does not match the data")


def ber_length(n: int) -> bytes:
    """A definite BER length."""
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def tlv(tag: int, value: bytes) -> bytes:
    """One TLV with a 1- or 2-byte tag."""
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    return tag_bytes + ber_length(len(value)) + value


def encode_basic_four(name: str, address: str, birth_yyyymmdd: str, sex: str) -> bytes:
    """EF 0002 of the 入力補助AP: FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }."""
    items = [
        tlv(0xDF22, name.encode()),
        tlv(0xDF23, address.encode()),
        tlv(0xDF24, birth_yyyymmdd.encode("ascii")),
        tlv(0xDF25, sex.encode("ascii")),
    ]
    header_size = len(tlv(0xDF21, bytes(8)))
    offsets, position = b"", header_size
    for item in items:
        offsets += position.to_bytes(2, "big")
        position += len(item)
    return tlv(0xFF20, tlv(0xDF21, offsets) + b"".join(items))


def pkcs1_type1_sign(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    """RSA signature over `00 01 FF..FF 00 || digest_info`, as the card computes it (raw RSA)."""
    numbers = key.private_numbers()
    k = (numbers.public_numbers.n.bit_length() + 7) // 8
    if len(digest_info) > k - 11:
        raise ValueError("DigestInfo too long for the key")
    block = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
    m = int.from_bytes(block, "big")
    # CRT: about four times faster than pow(m, d, n).
    s1 = pow(m, numbers.dmp1, numbers.p)
    s2 = pow(m, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (s1 - s2)) % numbers.p
    return (s2 + h * numbers.q).to_bytes(k, "big")


@dataclass
class VirtualCard:
    """The card's state machine; counters persist across power cycles, the security status does not."""

    persona: Persona
    files: dict[tuple[bytes, int], BinaryFile | PinFile | KeyFile] = field(default_factory=dict)
    atr: bytes = MYNUMBER_ATR
    current_aid: bytes | None = None
    current_ef: int | None = None
    verified: set[tuple[bytes, int]] = field(default_factory=set)
    cert_chunks_read: int = 0
    t0_chaining: bool = False  # answer data as 61xx + GET RESPONSE, like a T=0 card
    blocked_tries_sw: int = 0x63C0  # the answer to the tries query of a blocked PIN (6984: a card that differs)
    # Variants of what real cards answer (docs/card-interop.md, "Card variants"), each off by default:
    # select_fci "body": a SELECT answers FCI data with 9000 even with P2=0C; "61xx": it announces the FCI with
    # 61xx for GET RESPONSE. read_limit: the most bytes one READ BINARY returns; past it the card returns fewer
    # bytes (read_limit_sw "short") or answers 6Cxx, "wrong Le, use xx" ("6Cxx"). extended_length False: any
    # extended-length APDU answers 6700 (a card without extended length behind a reader that has it).
    select_fci: str = "none"
    read_limit: int | None = None
    read_limit_sw: str = "short"
    extended_length: bool = True
    pending: bytes = b""
    history: list[bytes] = field(default_factory=list)  # every command, for tests; VERIFY data kept out
    # A stalled card or reader driver: the first command with this INS is answered `stall_s` late, or with
    # stall_s None never (the card goes mute until it is taken out).
    stall_on_ins: int | None = None
    stall_s: float | None = None
    stalled: bool = False

    @classmethod
    def for_persona(cls, persona: Persona) -> VirtualCard:
        """The card a persona carries."""
        card = cls(persona)
        if persona.kind == "other":
            card.atr = OTHER_ATR
            card.files[(AID_OTHER, 0x0001)] = BinaryFile(b"\x00" * 16)
            return card
        if persona.kind == "next_generation":
            # Two applications and a 6-digit 照合番号 (announced); the rest of its command set is unknown.
            card.atr = NEXT_GENERATION_ATR
            card.files[(AID_JPKI, 0x0006)] = BinaryFile(NEXT_GENERATION_TOKEN)
            card.files[(AID_NEXT_GENERATION, 0x0001)] = PinFile(b"246813", 3)
            return card
        auth_pin = (AID_JPKI, 0x0018)
        sign_pin = (AID_JPKI, 0x001B)
        text_pin = (AID_TEXT, 0x0011)
        signing = persona.signing
        card.files.update(
            {
                (AID_JPKI, 0x0006): BinaryFile(TOKEN),
                # 利用者証明用 (auth) side: the certificate is public, the key needs the 4-digit PIN.
                (AID_JPKI, 0x000A): BinaryFile(_pad(persona.cert_der, CERT_EF_SIZE)),
                (AID_JPKI, 0x000B): BinaryFile(_der(persona.issuer_cert)),
                auth_pin: PinFile(persona.auth_pin.encode("ascii"), persona.auth_tries),
                (AID_JPKI, 0x0017): KeyFile(persona.private_key, auth_pin),
                # 署名用 (sign) side, never touched by the kiosk: the certificate carries name and
                # address, so reading it needs the password too (OpenSC marks it PRIVATE); its CA is public.
                (AID_JPKI, 0x0001): BinaryFile(_pad(signing.cert_der, CERT_EF_SIZE), sign_pin),
                (AID_JPKI, 0x0002): BinaryFile(_der(signing.issuer_cert)),
                (AID_JPKI, 0x001A): KeyFile(signing.private_key, sign_pin),
                sign_pin: PinFile(signing.password.encode("ascii"), signing.tries, SIGN_MAX_TRIES),
                text_pin: PinFile(persona.text_pin.encode("ascii"), persona.text_tries),
                # Never to be read by the kiosk: the fake 個人番号.
                (AID_TEXT, 0x0001): BinaryFile(tlv(0xDF10, persona.fake_my_number.encode("ascii")), text_pin),
                (AID_TEXT, 0x0002): BinaryFile(
                    _pad(
                        encode_basic_four(
                            persona.name, persona.address, persona.birth_date.strftime("%Y%m%d"), persona.sex
                        ),
                        512,
                    ),
                    text_pin,
                ),
                # The 券面AP, also never to be touched: PIN A is the 個人番号 itself.
                (AID_VISUAL, 0x0013): PinFile(persona.fake_my_number.encode("ascii"), 10, 10),
                (AID_VISUAL, 0x0002): BinaryFile(b"\xff" * 64, (AID_VISUAL, 0x0013)),
            }
        )
        if persona.kind == "face_auth":
            # No PIN is set, and no 署名用 certificate is issued to a face-authentication-only card.
            for ref in (auth_pin, text_pin):
                card.files[ref] = PinFile(None, 0)
            for fid in (0x0001, 0x001A, 0x001B):
                del card.files[(AID_JPKI, fid)]
        return card

    @property
    def applications(self) -> set[bytes]:
        """AIDs present on the card."""
        return {aid for aid, _ in self.files}

    def power_on(self) -> None:
        """Cold start: nothing selected, nothing verified; a re-inserted pulled_out card slips out again."""
        self.power_off()
        self.cert_chunks_read = 0

    def power_off(self) -> None:
        """Loss of power clears the security status and the selection."""
        self.current_aid = None
        self.current_ef = None
        self.verified.clear()

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data + SW (CardPulledOut and CardWentMute when set so)."""
        try:
            command = parse_command(apdu)
        except ValueError:
            self.history.append(bytes(apdu[:4]))
            return _sw(SW_WRONG_LENGTH)
        recorded = bytes(apdu[:5]) if command.ins == 0x20 and command.data else bytes(apdu)
        self.history.append(recorded)
        if command.ins == self.stall_on_ins and not self.stalled:
            self.stalled = True
            if self.stall_s is None:
                raise CardWentMute()
            time.sleep(self.stall_s)  # the transport's thread waits, as a slow card makes the reader wait
        if command.extended and not self.extended_length:
            return _sw(SW_WRONG_LENGTH)
        if command.cla & 0x03:
            return _sw(SW_LOGICAL_CHANNEL)
        if command.cla & 0xFC == 0x00 and command.ins == 0xC0:
            return self._get_response(command)
        self.pending = b""
        response = self._dispatch(command)
        chained = self.t0_chaining or (command.ins == 0xA4 and self.select_fci == "61xx")
        if chained and len(response) > 2 and response[-2:] == _sw(SW_OK):
            self.pending = response[:-2]
            return _sw(0x6100 | (min(len(self.pending), 256) & 0xFF))
        return response

    def _get_response(self, c: Command) -> bytes:
        if not self.pending:
            return _sw(SW_CONDITIONS)
        n = c.le or 256
        out, self.pending = self.pending[:n], self.pending[n:]
        if self.pending:
            return out + _sw(0x6100 | (min(len(self.pending), 256) & 0xFF))
        return out + _sw(SW_OK)

    def _dispatch(self, command: Command) -> bytes:
        handler = {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0x20): self._verify,
            (0x80, 0x2A): self._sign,
        }.get((command.cla & 0xFC, command.ins))
        if handler is None:
            return _sw(SW_CLA if command.cla & 0xFC not in (0x00, 0x80) else SW_INS)
        return handler(command)

    def _select(self, c: Command) -> bytes:
        if c.p1 == 0x04:
            if c.data not in self.applications:
                return _sw(SW_NOT_FOUND)
            self.current_aid, self.current_ef = c.data, None
            return self._fci(c, tlv(0x6F, tlv(0x84, c.data)))
        if c.p1 == 0x02:
            if self.current_aid is None:
                return _sw(SW_NOT_FOUND)
            if len(c.data) != 2:
                return _sw(SW_WRONG_LENGTH)
            fid = int.from_bytes(c.data, "big")
            if (self.current_aid, fid) not in self.files:
                return _sw(SW_NOT_FOUND)
            self.current_ef = fid
            entry = self.files[(self.current_aid, fid)]
            size = len(entry.content) if isinstance(entry, BinaryFile) else 0
            return self._fci(c, tlv(0x62, tlv(0x83, c.data) + tlv(0x80, size.to_bytes(2, "big"))))
        return _sw(SW_P1P2)

    def _fci(self, c: Command, fci: bytes) -> bytes:
        """9000 alone when P2=0C asks for no FCI, unless this card variant answers FCI anyway."""
        if self.select_fci != "none" or (c.p2 & 0x0C != 0x0C and c.le is not None):
            return fci + _sw(SW_OK)
        return _sw(SW_OK)

    def _current(self) -> BinaryFile | PinFile | KeyFile | None:
        if self.current_aid is None or self.current_ef is None:
            return None
        return self.files.get((self.current_aid, self.current_ef))

    def _read_binary(self, c: Command) -> bytes:
        if c.p1 & 0x80:
            return _sw(SW_P1P2)  # SFI reads: the kiosk never uses them
        ef = self._current()
        if ef is None:
            return _sw(SW_NO_CURRENT_EF)
        if not isinstance(ef, BinaryFile):
            return _sw(SW_INCOMPATIBLE)
        if ef.guard is not None and ef.guard not in self.verified:
            return _sw(SW_SECURITY)
        offset = (c.p1 << 8) | c.p2
        if offset > len(ef.content):
            return _sw(SW_OFFSET)
        if self.current_aid == AID_JPKI and self.current_ef == 0x000A:
            limit = self.persona.pull_out_after_chunks
            if limit is not None and self.cert_chunks_read >= limit:
                raise CardPulledOut()
            self.cert_chunks_read += 1
        length = c.le or 256
        if self.read_limit is not None and length > self.read_limit:
            if self.read_limit_sw == "6Cxx" and not c.extended:
                return _sw(0x6C00 | (self.read_limit & 0xFF))
            length = self.read_limit
        return ef.content[offset : offset + length] + _sw(SW_OK)

    def _verify(self, c: Command) -> bytes:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return _sw(SW_P1P2)
        ef = self._current()
        if not isinstance(ef, PinFile):
            return _sw(SW_NO_CURRENT_EF)
        ref = (self.current_aid, self.current_ef)
        assert ref[0] is not None and ref[1] is not None
        if ef.value is None:
            return _sw(SW_REFERENCE_NOT_FOUND)  # nothing to compare with, and no counter to show
        if not c.data:
            # The tries query (case 1) answers 63Cx, also when blocked (63C0) and after a good VERIFY (the
            # reset counter): OpenSC's jpki driver and jpki/myna accept only SW1=63 here, so a card answering
            # 6984 or 9000 would fail their binding (docs/card-interop.md). `blocked_tries_sw` plays a card
            # that answers otherwise when blocked.
            if ef.tries == 0:
                return _sw(self.blocked_tries_sw)
            return _sw(0x63C0 | ef.tries)
        if ef.tries == 0:
            return _sw(SW_BLOCKED)
        if c.data == ef.value:
            ef.tries = ef.max_tries
            self.verified.add(ref)  # type: ignore[arg-type]
            return _sw(SW_OK)
        ef.tries -= 1
        self.verified.discard(ref)  # type: ignore[arg-type]
        return _sw(0x63C0 | ef.tries)

    def _sign(self, c: Command) -> bytes:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return _sw(SW_P1P2)
        ef = self._current()
        if not isinstance(ef, KeyFile):
            return _sw(SW_NO_CURRENT_EF)
        if ef.guard not in self.verified:
            return _sw(SW_SECURITY)
        try:
            signature = pkcs1_type1_sign(ef.key, c.data)
        except ValueError:
            return _sw(SW_INCORRECT_DATA)
        return signature + _sw(SW_OK)


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\xff" * max(0, size - len(data))


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)
