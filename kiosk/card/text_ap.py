"""The 券面事項入力補助AP: its PIN and the basic four facts (EF 0002), parsed as TLV.

Only `Fid.TEXT_PIN` and `Fid.TEXT_BASIC_FOUR` exist for this application in the
whitelist; EF 0001 (個人番号) cannot be selected through kiosk.card at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.card.apdu import Aid, Fid
from kiosk.card.errors import ApduError, MalformedDataError, NotMyNumberCardError
from kiosk.card.pin import Pin
from kiosk.card.protocol import CardProtocol, Connection, as_protocol
from kiosk.card.tlv import parse_all, read_tlv, total_size
from kiosk.card.verify import tries_left, verify_pin

TAG_BASIC_FOUR = 0xFF20
TAG_HEADER = 0xDF21
TAG_NAME = 0xDF22
TAG_ADDRESS = 0xDF23
TAG_BIRTH_DATE = 0xDF24
TAG_SEX = 0xDF25
MAX_BASIC_FOUR_SIZE = 2048
SEXES = frozenset({"1", "2", "9"})  # ISO 5218: male, female, not applicable


@dataclass(frozen=True)
class BasicFour:
    """基本4情報 as printed on the card: name, address, birth date, sex ('1', '2' or '9')."""

    name: str
    address: str
    birth_date: dt.date
    sex: str

    def __repr__(self) -> str:
        # Personal data: keep it out of logs and tracebacks by default.
        return "BasicFour(<personal data>)"


def parse_basic_four(data: bytes) -> BasicFour:
    """Parse EF 0002: FF20 { DF21 header, DF22 name, DF23 address, DF24 YYYYMMDD, DF25 sex }."""
    outer = read_tlv(data, 0, max_length=MAX_BASIC_FOUR_SIZE)
    if outer.tag != TAG_BASIC_FOUR:
        raise MalformedDataError(f"basic four starts with tag {outer.tag:X}, expected FF20")
    fields: dict[int, bytes] = {}
    for item in parse_all(outer.value, max_items=16, max_length=MAX_BASIC_FOUR_SIZE):
        if item.tag in fields:
            raise MalformedDataError(f"tag {item.tag:X} appears twice")
        fields[item.tag] = item.value
    missing = [f"{t:X}" for t in (TAG_NAME, TAG_ADDRESS, TAG_BIRTH_DATE, TAG_SEX) if t not in fields]
    if missing:
        raise MalformedDataError(f"basic four lacks {', '.join(missing)}")
    try:
        name = fields[TAG_NAME].decode("utf-8")
        address = fields[TAG_ADDRESS].decode("utf-8")
        birth = fields[TAG_BIRTH_DATE].decode("ascii")
        sex = fields[TAG_SEX].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedDataError(f"basic four text is not valid: {exc.reason}") from exc
    if len(birth) != 8 or not birth.isdigit():
        raise MalformedDataError("birth date is not YYYYMMDD")
    try:
        birth_date = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError as exc:
        raise MalformedDataError("birth date is not a calendar date") from exc
    if sex not in SEXES:
        raise MalformedDataError("sex is not an ISO 5218 code")
    if not name or not address:
        raise MalformedDataError("empty name or address")
    return BasicFour(name=name, address=address, birth_date=birth_date, sex=sex)


class TextApSession:
    """The 券面事項入力補助AP; selecting it in __init__ fails on a card that lacks it."""

    def __init__(self, transport: CardProtocol | Connection) -> None:
        self.protocol = as_protocol(transport)
        if self.protocol.current_aid != bytes(Aid.TEXT):  # already selected on this connection: no second SELECT
            self._select_ap()

    def _select_ap(self) -> None:
        try:
            self.protocol.select_application(Aid.TEXT)
        except ApduError as exc:
            raise NotMyNumberCardError(f"入力補助AP not found ({exc})") from exc

    def _select(self, ef: Fid) -> None:
        if self.protocol.current_aid != bytes(Aid.TEXT):
            self._select_ap()
        self.protocol.select_file(ef)

    def text_pin_tries_left(self) -> int:
        """Remaining tries of the 入力補助 PIN (0 when blocked)."""
        self._select(Fid.TEXT_PIN)
        return tries_left(self.protocol, Fid.TEXT_PIN)

    def verify_text_pin(self, pin: Pin, *, last_try_confirmed: bool = False) -> None:
        """VERIFY the 入力補助 PIN once, under the never-lock rules."""
        self._select(Fid.TEXT_PIN)
        verify_pin(self.protocol, Fid.TEXT_PIN, pin, last_try_confirmed=last_try_confirmed)

    def read_basic_four(self) -> BasicFour:
        """Read and parse EF 0002 (needs the 入力補助 PIN verified in this session)."""
        self._select(Fid.TEXT_BASIC_FOUR)
        data = self.protocol.read_sized(
            lambda header: total_size(header, MAX_BASIC_FOUR_SIZE), MAX_BASIC_FOUR_SIZE
        )
        return parse_basic_four(data)
