"""The 利用者証明用 (auth) certificate read from the card: parsed, with a validity check at an injected time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509

from kiosk.card.der import certificate_size
from kiosk.card.errors import CertificateExpiredError, CertificateNotYetValidError, MalformedDataError


@dataclass(frozen=True)
class AuthCertificate:
    """A parsed auth certificate; `der` is exactly what the card holds."""

    der: bytes
    cert: x509.Certificate
    serial: int
    issuer: str
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime

    @classmethod
    def from_der(cls, der: bytes) -> AuthCertificate:
        """Parse DER bytes strictly (length must match the header exactly)."""
        if certificate_size(der) != len(der):
            raise MalformedDataError("certificate length does not match its DER header")
        try:
            cert = x509.load_der_x509_certificate(der)
            return cls(
                der=bytes(der),
                cert=cert,
                serial=cert.serial_number,
                issuer=cert.issuer.rfc4514_string(),
                subject=cert.subject.rfc4514_string(),
                not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
            )
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError: a hostile card's v4
            raise MalformedDataError(f"not a valid X.509 certificate: {exc}") from exc

    def is_expired(self, now: dt.datetime) -> bool:
        """True when `now` (timezone-aware) is past not_after."""
        return now > self.not_after

    def check_validity(self, now: dt.datetime) -> None:
        """Raise CertificateExpiredError / CertificateNotYetValidError unless valid at `now`."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if now < self.not_before:
            raise CertificateNotYetValidError(f"valid from {self.not_before.isoformat()}")
        if now > self.not_after:
            raise CertificateExpiredError(f"expired on {self.not_after.isoformat()}")
