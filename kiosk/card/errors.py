"""Status words and the typed errors the card layer raises.

Screens map these exception types to patron-facing text in one table; nothing
here is patron-facing text.
"""

from __future__ import annotations

from enum import IntEnum


class SW(IntEnum):
    """ISO 7816-4 status words the My Number card answers (see jpki-apdu.md)."""

    OK = 0x9000
    END_OF_FILE = 0x6282
    VERIFY_FAIL_NO_TRIES = 0x63C0
    WRONG_LENGTH = 0x6700
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
    COMMAND_INCOMPATIBLE = 0x6981
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    INCORRECT_DATA = 0x6A80
    FILE_NOT_FOUND = 0x6A82
    INCORRECT_P1P2 = 0x6A86
    WRONG_PARAMETERS = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    UNKNOWN = 0x6F00


def sw_name(sw: int) -> str:
    """Name a status word for logs and error messages, e.g. '6A82 (FILE_NOT_FOUND)'."""
    if sw & 0xFFF0 == 0x63C0 and sw != SW.VERIFY_FAIL_NO_TRIES:
        return f"{sw:04X} (VERIFY_FAIL, {sw & 0x0F} tries left)"
    if sw & 0xFF00 == 0x6100:
        return f"{sw:04X} (BYTES_REMAINING {sw & 0xFF})"
    if sw & 0xFF00 == 0x6C00:
        return f"{sw:04X} (WRONG_LE, exact {sw & 0xFF})"
    try:
        return f"{sw:04X} ({SW(sw).name})"
    except ValueError:
        return f"{sw:04X}"


class CardError(Exception):
    """Base class of every error raised by the card layer."""


class UnexpectedAnswerError(CardError):
    """The card answered, but something a My Number card never answers (a status word, length or encoding)."""


class ApduError(UnexpectedAnswerError):
    """The card answered a status word the caller did not expect."""

    def __init__(self, data: bytes, sw: int) -> None:
        super().__init__(data, sw)
        self.data = bytes(data)
        self.sw = sw

    def __str__(self) -> str:
        return f"APDU error, SW={sw_name(self.sw)}"


class TransportError(CardError):
    """The reader or the PC/SC service failed, not the card's application."""


class CardRemovedError(TransportError):
    """The card was removed (or lost power) before the command finished."""


class ReaderGoneError(TransportError):
    """The reader disappeared or the PC/SC service stopped."""


class CardUnresponsiveError(TransportError):
    """The card does not answer (mute, or a timeout in the reader)."""


class CardTimeoutError(CardUnresponsiveError):
    """No answer within the kiosk's own time limit; the connection is given up (kiosk.card.card_thread).

    `sent` is False when the command never went out (given up before it started, or on a dead connection).
    """

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


class NoCardError(TransportError):
    """No card is present in the reader."""


class NotMyNumberCardError(CardError):
    """The card does not hold the JPKI application or its My Number token."""


class PinError(CardError):
    """Base class of PIN outcomes the patron must be told about."""


class WrongPinError(PinError):
    """The PIN was wrong; the card still allows `tries_left` attempts."""

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left")
        self.tries_left = tries_left


class PinBlockedError(PinError):
    """The PIN is blocked (no tries left); only a municipal office can reset it."""


class LastTryNotConfirmedError(PinError):
    """One try is left and the patron has not confirmed using it; nothing was sent."""

    def __init__(self) -> None:
        super().__init__("one PIN try left: the patron must confirm before it is used")
        self.tries_left = 1


class CertificateError(CardError):
    """The certificate on the card cannot be used."""


class CertificateExpiredError(CertificateError):
    """The certificate is past its not_after."""


class CertificateNotYetValidError(CertificateError):
    """The certificate is before its not_before."""


class MalformedDataError(UnexpectedAnswerError):
    """Data read from the card is garbage, truncated or larger than allowed."""


class ForbiddenFileError(CardError):
    """Code asked to select or read a file outside the closed whitelist (a bug, never a card fault)."""
