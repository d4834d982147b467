"""The kiosk's My Number card layer: connection (pcsc) → protocol → sessions (jpki, text_ap).

Only `pcsc` and `monitor` import pyscard; import them explicitly
(`from kiosk.card.pcsc import connect`) so this package stays importable
without a PC/SC stack.
"""

from kiosk.card.apdu import Aid, Fid
from kiosk.card.errors import (
    SW,
    ApduError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    CardUnresponsiveError,
    CertificateError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    ForbiddenFileError,
    LastTryNotConfirmedError,
    MalformedDataError,
    NoCardError,
    NotMyNumberCardError,
    PinBlockedError,
    PinError,
    ReaderGoneError,
    TransportError,
    UnexpectedAnswerError,
    WrongPinError,
)
from kiosk.card.jpki import JpkiSession, sha256_digest_info
from kiosk.card.pin import Pin
from kiosk.card.protocol import CardProtocol, Connection
from kiosk.card.text_ap import BasicFour, TextApSession
from kiosk.card.traffic import TRAFFIC


def __getattr__(name: str) -> object:
    """AuthCertificate loads `cryptography` (tens of ms): only when a certificate is first parsed."""
    if name == "AuthCertificate":
        from kiosk.card.certificate import AuthCertificate

        return AuthCertificate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SW",
    "TRAFFIC",
    "Aid",
    "ApduError",
    "AuthCertificate",
    "BasicFour",
    "CardError",
    "CardProtocol",
    "CardRemovedError",
    "CardTimeoutError",
    "CardUnresponsiveError",
    "CertificateError",
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "Connection",
    "Fid",
    "ForbiddenFileError",
    "JpkiSession",
    "LastTryNotConfirmedError",
    "MalformedDataError",
    "NoCardError",
    "NotMyNumberCardError",
    "Pin",
    "PinBlockedError",
    "PinError",
    "ReaderGoneError",
    "TextApSession",
    "TransportError",
    "UnexpectedAnswerError",
    "WrongPinError",
    "sha256_digest_info",
]
