"""PIN tries and VERIFY with the never-lock rules, shared by the JPKI and 入力補助 applications.

Rules: read the tries before every VERIFY; refuse to send a VERIFY on the last
try unless the patron confirmed it; send each VERIFY exactly once (never retry by
ourselves); 63C0 and 6984 mean blocked.
"""

from __future__ import annotations

from kiosk.card import apdu
from kiosk.card.apdu import Fid
from kiosk.card.errors import SW, ApduError, LastTryNotConfirmedError, PinBlockedError, WrongPinError
from kiosk.card.pin import Pin, wipe
from kiosk.card.protocol import CardProtocol

# A blocked PIN may answer the tries query with 63C0 (what OpenSC's jpki driver and
# jpki/myna accept, and the virtual card answers) or 6984: both read as 0.
# After a successful VERIFY the counter is back at its maximum: cards answer 63C3
# there, and ISO 7816-4 also allows 9000, which reads as the maximum too.
MAX_TRIES = 3


def tries_left(protocol: CardProtocol, pin_ef: Fid) -> int:
    """Remaining tries of the PIN in `pin_ef` (VERIFY with no data → 63Cx); 0 when blocked."""
    protocol.select_file(pin_ef)
    data, sw = protocol.transmit(
        apdu.encode(apdu.CLA_ISO, apdu.INS_VERIFY, 0x00, apdu.P2_PIN_OF_CURRENT_EF)
    )
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw == SW.AUTH_METHOD_BLOCKED:
        return 0
    if sw == SW.OK:
        return MAX_TRIES
    raise ApduError(data, sw)


def verify_pin(protocol: CardProtocol, pin_ef: Fid, pin: Pin, *, last_try_confirmed: bool = False) -> None:
    """VERIFY `pin` against `pin_ef` once, after reading the tries; the PIN is zeroed in every case."""
    command: bytearray | None = None
    try:
        left = tries_left(protocol, pin_ef)
        if left == 0:
            raise PinBlockedError("PIN is blocked")
        if left == 1 and not last_try_confirmed:
            raise LastTryNotConfirmedError()
        digits = pin.take()
        command = apdu.encode(apdu.CLA_ISO, apdu.INS_VERIFY, 0x00, apdu.P2_PIN_OF_CURRENT_EF, digits)
        data, sw = protocol.transmit(command)
    finally:
        pin.wipe()
        if command is not None:
            wipe(command)
    error = verify_error(sw, data)
    if error is not None:
        raise error


def verify_error(sw: int, data: bytes = b"") -> Exception | None:
    """The typed error a VERIFY-with-PIN status word means, or None for 9000."""
    if sw == SW.OK:
        return None
    if sw == SW.VERIFY_FAIL_NO_TRIES or sw == SW.AUTH_METHOD_BLOCKED:
        return PinBlockedError("PIN is blocked")
    if sw & 0xFFF0 == 0x63C0:
        return WrongPinError(sw & 0x0F)
    return ApduError(data, sw)
