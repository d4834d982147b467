"""ISO 7816 verbs over a connection: SELECT, READ BINARY, 61xx/6Cxx handling, the file whitelist gate.

Every APDU the kiosk sends passes through `CardProtocol.transmit`, which refuses
anything outside a closed set of commands and files (see `apdu.Fid`). That gate
is what makes reading the 個人番号 impossible rather than merely unused, and
likewise the JPKI AP's 署名用 side (EFs 001B, 001A, 0001, 0002): the kiosk cannot
select the signing password, key or certificate, only the 利用者証明用 files.
"""

from __future__ import annotations

import weakref
from typing import Protocol as TypingProtocol

from kiosk.card import apdu
from kiosk.card.apdu import ALLOWED_FILES, Aid, Fid
from kiosk.card.errors import SW, ApduError, CardError, ForbiddenFileError, MalformedDataError

MAX_RESPONSE = 64 * 1024
MAX_GET_RESPONSE_ROUNDS = 300  # 64 KB in 256-byte pieces, with margin

# Commands the kiosk ever sends. CHANGE REFERENCE DATA, RESET RETRY COUNTER,
# READ BINARY with odd INS and everything else are refused before reaching the card.
_ALLOWED_INS = frozenset(
    {apdu.INS_SELECT, apdu.INS_READ_BINARY, apdu.INS_VERIFY, apdu.INS_COMPUTE_SIGNATURE, apdu.INS_GET_RESPONSE}
)


class Connection(TypingProtocol):
    """What the card layer needs from a transport (pcsc.PcscConnection, or a test fake)."""

    @property
    def supports_extended_length(self) -> bool:
        """Whether extended-length APDUs may be sent through this reader."""
        ...

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Send one command APDU and return (response data, status word)."""
        ...


class CardProtocol:
    """The ISO 7816 layer: whitelisted SELECTs, READ BINARY, response chaining."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.current_aid: bytes | None = None
        self.current_ef: Fid | None = None
        self.extended_refused = False  # the card answered an extended READ with 6700: short reads only

    @property
    def supports_extended_length(self) -> bool:
        """Whether the reader takes extended-length APDUs."""
        return bool(self.connection.supports_extended_length)

    def check_allowed(self, command: bytes | bytearray) -> None:
        """Refuse any command outside the closed whitelist (raises ForbiddenFileError)."""
        if len(command) < 4:
            raise ForbiddenFileError("command shorter than a header")
        cla, ins, p1, p2 = command[0], command[1], command[2], command[3]
        if cla not in (apdu.CLA_ISO, apdu.CLA_PROPRIETARY) or ins not in _ALLOWED_INS:
            raise ForbiddenFileError(f"command {cla:02X} {ins:02X} is not on the whitelist")
        if ins == apdu.INS_SELECT:
            body = _command_data(command)
            if p1 == apdu.P1_SELECT_AID:
                if body not in {bytes(a) for a in Aid}:
                    raise ForbiddenFileError(f"application {body.hex().upper()} is not on the whitelist")
            elif p1 == apdu.P1_SELECT_EF:
                fid = int.from_bytes(body, "big") if len(body) == 2 else -1
                if self.current_aid is None or (self.current_aid, fid) not in ALLOWED_FILES:
                    raise ForbiddenFileError(f"file {body.hex().upper()} is not on the whitelist here")
            else:
                raise ForbiddenFileError(f"SELECT with P1={p1:02X} is not allowed")
        elif ins == apdu.INS_READ_BINARY and p1 & 0x80:
            raise ForbiddenFileError("READ BINARY by short file identifier is not allowed")
        elif ins == apdu.INS_VERIFY and p2 != apdu.P2_PIN_OF_CURRENT_EF:
            raise ForbiddenFileError("VERIFY must address the PIN of the selected EF")
        elif ins == apdu.INS_COMPUTE_SIGNATURE and p2 != apdu.P2_SIGN_WITH_CURRENT_EF:
            raise ForbiddenFileError("signature must use the key of the selected EF")

    def forget_selection(self) -> None:
        """Forget what is selected, so the next step selects again (after errors and reconnects)."""
        self.current_aid = None
        self.current_ef = None

    def transmit(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Send a whitelisted command; follow 61xx with GET RESPONSE and 6Cxx with the exact Le."""
        self.check_allowed(command)
        try:
            data, sw = self._transmit(command)
        except CardError:
            self.forget_selection()  # after a transport fault the card may have been reset
            raise
        if command[1] == apdu.INS_SELECT:
            self._track_selection(command, sw)
        return data, sw

    def _track_selection(self, command: bytes | bytearray, sw: int) -> None:
        # The gate judges each SELECT EF by the application the card really has selected,
        # so the state follows every SELECT that went out, whoever built it.
        body = _command_data(command)
        if command[2] == apdu.P1_SELECT_AID:
            self.current_aid = body if sw == SW.OK else None
            self.current_ef = None
        else:
            fid = int.from_bytes(body, "big")
            match = [f for f in Fid if bytes(f.aid) == self.current_aid and f.fid == fid]
            self.current_ef = match[0] if sw == SW.OK and match else None

    def _transmit(self, command: bytes | bytearray) -> tuple[bytes, int]:
        data, sw = self.connection.send_and_receive(command)
        if sw >> 8 == 0x6C and len(command) == 5 and command[1] == apdu.INS_READ_BINARY:
            # Wrong Le on a short read: the card tells the exact length; resend once with it.
            # Only reads are resent: repeating a VERIFY would spend a PIN try behind the patron's back.
            fixed = bytearray(command)
            fixed[-1] = sw & 0xFF
            data, sw = self.connection.send_and_receive(fixed)
        out = bytearray(data)
        rounds = 0
        while sw >> 8 == 0x61:
            rounds += 1
            if rounds > MAX_GET_RESPONSE_ROUNDS or len(out) > MAX_RESPONSE:
                raise MalformedDataError("card keeps announcing more response bytes")
            more, sw = self.connection.send_and_receive(
                apdu.encode(apdu.CLA_ISO, apdu.INS_GET_RESPONSE, 0, 0, le=(sw & 0xFF) or 256)
            )
            if not more and sw >> 8 == 0x61:
                raise MalformedDataError("card announces response bytes but returns none")
            out += more
        return bytes(out), sw

    def select_application(self, aid: Aid) -> None:
        """SELECT an application by AID (no FCI); raises ApduError on any status but 9000."""
        command = apdu.encode(apdu.CLA_ISO, apdu.INS_SELECT, apdu.P1_SELECT_AID, apdu.P2_NO_FCI, bytes(aid))
        data, sw = self.transmit(command)
        if sw != SW.OK:
            raise ApduError(data, sw)

    def select_file(self, ef: Fid) -> None:
        """SELECT an EF of the current application, unless it is already the current EF."""
        if self.current_aid != bytes(ef.aid):
            raise ForbiddenFileError(f"{ef.name} is not in the selected application")
        if self.current_ef is ef:
            return
        command = apdu.encode(
            apdu.CLA_ISO, apdu.INS_SELECT, apdu.P1_SELECT_EF, apdu.P2_NO_FCI, ef.fid.to_bytes(2, "big")
        )
        data, sw = self.transmit(command)
        if sw != SW.OK:
            raise ApduError(data, sw)

    def read_binary(self, offset: int, le: int) -> bytes:
        """READ BINARY of the current EF; extended Le when le > 256. Returns what the card gave."""
        if not 0 <= offset <= 0x7FFF:
            raise ValueError(f"offset out of range: {offset}")
        command = apdu.encode(apdu.CLA_ISO, apdu.INS_READ_BINARY, offset >> 8, offset & 0xFF, le=le)
        data, sw = self.transmit(command)
        if sw not in (SW.OK, SW.END_OF_FILE):
            raise ApduError(data, sw)
        if len(data) > le:
            raise MalformedDataError(f"card returned {len(data)} bytes for Le={le}")
        return data

    def read_sized(self, size_of: SizeFunction, max_size: int) -> bytes:
        """Read the current EF's leading object whose size `size_of(first bytes)` tells, in few APDUs.

        With extended length, one READ BINARY asks for `max_size` bytes; without it,
        256-byte chunks: the first chunk carries the header, so the count is the
        minimum, ceil(size / 256). A card that refuses the extended Le (6700, or a
        6Cxx it cannot express for an extended Le) behind a reader that takes it is
        read in short chunks from then on, on this connection.
        """
        extended = self.supports_extended_length and not self.extended_refused
        first_le = max_size if extended else apdu.SHORT_MAX_LE
        try:
            buf = bytearray(self.read_binary(0, first_le))
        except ApduError as exc:
            if not extended or not (exc.sw == SW.WRONG_LENGTH or exc.sw >> 8 == 0x6C):
                raise
            self.extended_refused = True
            first_le = apdu.SHORT_MAX_LE
            buf = bytearray(self.read_binary(0, first_le))
        total = size_of(bytes(buf))
        if total > max_size:
            raise MalformedDataError(f"object of {total} bytes exceeds the limit of {max_size}")
        # A card may return shorter chunks than asked (a small buffer, even under an extended Le), but not
        # endlessly: bound the number of READs by the short-chunk count.
        reads_left = 4 * -(-total // apdu.SHORT_MAX_LE) + 4
        while len(buf) < total:
            reads_left -= 1
            if reads_left < 0:
                raise MalformedDataError(f"card returns only tiny chunks ({len(buf)} of {total} bytes)")
            want = min(total - len(buf), first_le)
            chunk = self.read_binary(len(buf), want)
            if not chunk:
                raise MalformedDataError(f"EF ended after {len(buf)} of {total} bytes")
            buf += chunk
        return bytes(buf[:total])


# One protocol (and so one record of the card's current selection) per connection:
# two sessions on the same connection must not each believe a different file is selected.
_PROTOCOLS: weakref.WeakKeyDictionary[object, CardProtocol] = weakref.WeakKeyDictionary()


def as_protocol(transport: CardProtocol | Connection) -> CardProtocol:
    """The CardProtocol shared by every session on this connection (created on first use)."""
    if isinstance(transport, CardProtocol):
        return transport
    protocol = _PROTOCOLS.get(transport)
    if protocol is None:
        protocol = _PROTOCOLS[transport] = CardProtocol(transport)
    return protocol


def forget_connection(connection: object) -> None:
    """Drop the shared protocol of a connection that was closed or reconnected."""
    protocol = _PROTOCOLS.pop(connection, None)
    if protocol is not None:
        protocol.forget_selection()


class SizeFunction(TypingProtocol):
    """Returns the total size of an object from its first bytes."""

    def __call__(self, header: bytes, /) -> int: ...


def _command_data(command: bytes | bytearray) -> bytes:
    """The data field of a case-3 command (short or extended Lc)."""
    if len(command) <= 5:
        return b""
    if command[4] == 0 and len(command) >= 7:
        n = (command[5] << 8) | command[6]
        return bytes(command[7 : 7 + n])
    return bytes(command[5 : 5 + command[4]])
