"""The only module that talks to PC/SC (with monitor.py): a pyscard connection with typed transport errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from smartcard import scard

from kiosk.card.card_thread import CardThread
from kiosk.card.errors import (
    CardError,
    CardRemovedError,
    CardTimeoutError,
    CardUnresponsiveError,
    NoCardError,
    ReaderGoneError,
    TransportError,
)
from kiosk.card.protocol import forget_connection
from kiosk.card.traffic import TRAFFIC, describe_command, describe_response

log = logging.getLogger(__name__)

# Short APDUs need at most 261 bytes in (4 + 1 + 255 + 1); a reader that takes
# more advertises extended-length support.
_SHORT_APDU_MAX = 261
_REMOVAL_WAIT_MS = 1500  # vpcd and real readers report EMPTY within ~0.4 s
# A real My Number card signs in under a second; the kiosk's setting is [card] command_timeout_s.
DEFAULT_COMMAND_TIMEOUT_S = 5.0
T = TypeVar("T")

_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD}
_UNRESPONSIVE = {scard.SCARD_E_TIMEOUT, scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_W_UNPOWERED_CARD}
_READER_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}


def _error_text(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"


def transport_error(hresult: int, during: str) -> TransportError:
    """The typed error for a PC/SC result code."""
    text = f"{during}: {_error_text(hresult)}"
    if hresult in _REMOVED:
        return CardRemovedError(text)
    if hresult in _UNRESPONSIVE:
        return CardUnresponsiveError(text)
    if hresult in _READER_GONE:
        return ReaderGoneError(text)
    return TransportError(text)


def list_readers() -> list[str]:
    """Names of the readers pcscd knows (empty when none; ReaderGoneError when pcscd is absent)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise transport_error(hresult, "establish context")
    try:
        hresult, names = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise transport_error(hresult, "list readers")
        return list(names)
    finally:
        scard.SCardReleaseContext(context)


# Readers whose last connection gave up on a command that is still stuck in the driver: until that call
# ends (with vpcd: until the card is taken out), a new connection would only wait behind it in pcscd.
_stalled: dict[str, CardThread] = {}


def stalled(reader: str) -> bool:
    """True while a command given up on in `reader` is still stuck in the driver (connecting is refused)."""
    thread = _stalled.get(reader)
    return thread is not None and thread.alive


class PcscConnection:
    """A connection to the card in one reader: `send_and_receive(apdu) -> (data, sw)`.

    Every PC/SC call on it runs on its own CardThread and is answered within `command_timeout_s`, or ends
    in CardTimeoutError and the connection is given up (see kiosk.card.card_thread).
    """

    def __init__(self, reader: str, *, extended_length: bool | None = None,
                 command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S) -> None:
        self.reader = reader
        self._extended_override = extended_length
        self._timeout_s = command_timeout_s
        self._thread: CardThread | None = None
        self._context: int | None = None
        self._card: int | None = None
        self._protocol: int = scard.SCARD_PROTOCOL_T1
        self.atr: bytes = b""

    def connect(self) -> PcscConnection:
        """Open the card (shared mode, T=0 or T=1); NoCardError when the reader is empty."""
        stuck = _stalled.get(self.reader)
        # The card just taken out ends the stuck call within moments: wait for that, not for a mute card.
        if stuck is not None and not stuck.wait_ended(self._timeout_s):
            raise CardTimeoutError(f"{self.reader}: an earlier command is still unanswered", sent=False)
        self._thread = CardThread(f"card {self.reader}")
        try:
            self._call(self._open)
        except CardError:
            self.close()
            raise
        forget_connection(self)  # a new card session: nothing is selected yet
        log.debug("connected to %s, protocol %s", self.reader, "T=0" if self._protocol == 1 else "T=1")
        return self

    def _open(self) -> None:
        """On the card thread: context, connection, ATR."""
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise transport_error(hresult, "establish context")
        self._context = context
        hresult, card, protocol = scard.SCardConnect(
            context, self.reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if hresult != scard.SCARD_S_SUCCESS:
            self._release_context()
            if hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
                raise NoCardError(f"no card in {self.reader}")
            raise transport_error(hresult, "connect")
        self._card, self._protocol = card, protocol
        hresult, _reader, _state, _proto, atr = scard.SCardStatus(card)
        self.atr = bytes(atr) if hresult == scard.SCARD_S_SUCCESS else b""

    def _call(self, fn: Callable[[], T], timeout_s: float | None = None) -> T:
        if self._thread is None:
            raise TransportError("not connected")
        try:
            return self._thread.call(fn, timeout_s or self._timeout_s)
        except CardTimeoutError as exc:
            if exc.sent:
                _stalled[self.reader] = self._thread
                log.warning("%s: no answer within %g s; connection given up", self.reader, self._timeout_s)
            raise

    def __enter__(self) -> PcscConnection:
        return self if self._card is not None else self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def supports_extended_length(self) -> bool:
        """True when forced by the caller, or when the reader reports a max input above a short APDU."""
        if self._extended_override is not None:
            return self._extended_override
        card = self._card
        if card is None:
            return False
        hresult, value = self._call(lambda: scard.SCardGetAttrib(card, scard.SCARD_ATTR_MAXINPUT))
        if hresult != scard.SCARD_S_SUCCESS or not value:
            return False  # Unknown means no: 256-byte chunks are the safe default.
        return int.from_bytes(bytes(value[:4]), "little") > _SHORT_APDU_MAX

    def send_and_receive(self, command: bytes | bytearray) -> tuple[bytes, int]:
        """Transmit one APDU; transport faults become CardRemovedError, ReaderGoneError, CardTimeoutError..."""
        card = self._card
        if card is None:
            raise TransportError("not connected")
        log.log(TRAFFIC, ">> %s", describe_command(command))
        as_list = list(command)

        def transmit() -> tuple[int, list[int]]:
            try:
                return scard.SCardTransmit(card, self._protocol, as_list)
            finally:
                as_list[:] = [0] * len(as_list)  # The list may hold PIN digits.

        try:
            hresult, response = self._call(transmit)
        except CardTimeoutError as exc:
            if not exc.sent:
                as_list[:] = [0] * len(as_list)  # never went out: the card thread will not zero it
            raise
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._failure(hresult)
        if len(response) < 2:
            # vpcd (and some readers) report a vanished card as an empty answer.
            raise self._failure(scard.SCARD_E_NOT_TRANSACTED)
        data, sw = bytes(response[:-2]), (response[-2] << 8) | response[-1]
        log.log(TRAFFIC, "<< %s", describe_response(data, sw))
        return data, sw

    def _failure(self, hresult: int) -> TransportError:
        if hresult == scard.SCARD_E_NOT_TRANSACTED or hresult in _UNRESPONSIVE:
            # A pulled card first shows as a failed transaction; ask the reader whether it is empty.
            if self._call(self._wait_until_empty, max(self._timeout_s, _REMOVAL_WAIT_MS / 1000 + 1)):
                return CardRemovedError(f"card removed during a command ({_error_text(hresult)})")
            return CardUnresponsiveError(f"transmit: {_error_text(hresult)}")
        return transport_error(hresult, "transmit")

    def _wait_until_empty(self) -> bool:
        """Block (inside pcscd, not spinning) until the reader reports no card, up to a short timeout."""
        if self._context is None:
            return False
        states = [(self.reader, scard.SCARD_STATE_UNAWARE)]
        hresult, states = scard.SCardGetStatusChange(self._context, 0, states)
        if hresult != scard.SCARD_S_SUCCESS:
            return hresult in _READER_GONE
        state = states[0][1]
        if state & scard.SCARD_STATE_EMPTY:
            return True
        hresult, states = scard.SCardGetStatusChange(
            self._context, _REMOVAL_WAIT_MS, [(self.reader, state & ~scard.SCARD_STATE_CHANGED)]
        )
        return hresult == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_EMPTY)

    def close(self) -> None:
        """Disconnect, resetting the card so no verified PIN state outlives this patron.

        On a connection given up, the disconnect is queued behind the stuck call and runs when the driver
        lets go; close() itself never waits for a card that does not answer.
        """
        forget_connection(self)
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if thread.given_up:
            thread.later(self._disconnect)
        else:
            try:
                thread.call(self._disconnect, self._timeout_s)
            except CardTimeoutError:
                _stalled[self.reader] = thread
            except CardError:
                pass
        thread.stop()

    def _disconnect(self) -> None:
        """On the card thread: reset the card and let go of it and of the context."""
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
            self._card = None
        self._release_context()

    def _release_context(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None


def wait_for_card(reader: str, present: bool = True, timeout: float = 5.0) -> bool:
    """Block inside pcscd until `reader` holds a card (or, present=False, is empty); False on timeout."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise transport_error(hresult, "establish context")
    try:
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        while True:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            hresult, states = scard.SCardGetStatusChange(
                context, max(remaining_ms, 0), [(reader, state)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                return False
            if hresult != scard.SCARD_S_SUCCESS:
                raise transport_error(hresult, "wait for card")
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            has_card = bool(state & scard.SCARD_STATE_PRESENT)
            if has_card == present:
                return True
            if remaining_ms <= 0:
                return False
    finally:
        scard.SCardReleaseContext(context)


def connect(reader: str | None = None, *, extended_length: bool | None = None,
            command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S) -> PcscConnection:
    """Connect to the card in `reader`, or in the first reader that holds one."""
    names = [reader] if reader else list_readers()
    if not names:
        raise ReaderGoneError("no reader attached")
    last: Exception = NoCardError("no card in any reader")
    for name in names:
        try:
            return PcscConnection(name, extended_length=extended_length,
                                  command_timeout_s=command_timeout_s).connect()
        except NoCardError as exc:
            last = exc
    raise last
