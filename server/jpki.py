"""Verification of a My Number card's 利用者証明用電子証明書 against the configured J-LIS roots.

Checks, in order: issued (and signed) by one of the configured roots (several generations
may be configured at once), valid at the given instant, not on a CRL signed by its issuer.
The card's signature over a challenge is checked by `verify_signature`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from server.config import SettingError, check_readable_file
from server.errors import ApiError


def normalise_serial(serial: int | str) -> str:
    """Certificate serial as upper-case hex without leading zeros (one spelling for lookups)."""
    value = serial if isinstance(serial, int) else int(str(serial).replace(":", ""), 16)
    return format(value, "X")


@dataclass(frozen=True)
class CertificateIdentity:
    """What the library keeps of a certificate: serial, issuer, and a short issuer fingerprint for logs."""

    serial: str
    issuer: str
    issuer_fingerprint: str

    def audit_detail(self) -> dict[str, str]:
        """Facts safe to put in the audit log (no certificate dump)."""
        return {"cert_serial": self.serial, "issuer_fp": self.issuer_fingerprint}


def identity_of(cert: x509.Certificate) -> CertificateIdentity:
    """Serial and issuer of a certificate as the linkage table stores them."""
    return CertificateIdentity(
        serial=normalise_serial(cert.serial_number),
        issuer=cert.issuer.rfc4514_string(),
        issuer_fingerprint=hashlib.sha256(cert.issuer.public_bytes()).hexdigest()[:16],
    )


def parse_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate, else ApiError("malformed_certificate")."""
    try:
        cert = x509.load_der_x509_certificate(der)
        cert.public_key()  # unsupported or broken keys fail here rather than later
        # cryptography parses names, dates and extensions lazily: read them now, so a malformed field
        # from a hostile card is this error and not a ValueError in the middle of verification (a 500).
        _ = (cert.issuer, cert.subject, cert.serial_number, cert.not_valid_before_utc, cert.not_valid_after_utc,
             cert.extensions)
    except Exception:  # cryptography raises several types for garbage input
        raise ApiError("malformed_certificate") from None
    return cert


def _parse_crl(data: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def _load_crl(path: Path) -> x509.CertificateRevocationList:
    return _parse_crl(path.read_bytes())


_T = TypeVar("_T")


def _read_at_start(setting: str, path: Path, load: Callable[[Path], _T]) -> _T:
    check_readable_file(setting, str(path))
    try:
        return load(path)
    except OSError as error:
        raise SettingError(f"{setting}: {path}: {error.strerror or error}") from None
    except ValueError:
        raise SettingError(f"{setting}: {path} is not a PEM or DER "
                           f"{'certificate' if setting == 'jlis_root_paths' else 'CRL'}") from None


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _load_roots(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


@dataclass
class TrustStore:
    """Configured J-LIS roots and CRLs (files, re-read when they change; or URLs, re-fetched
    every `crl_refresh_seconds`; a URL that cannot be fetched fails the check, never skips it)."""

    roots: list[x509.Certificate]
    crl_paths: list[Path] = field(default_factory=list)
    crl_urls: list[str] = field(default_factory=list)
    crl_refresh_seconds: float = 3600.0
    _crl_cache: dict[Path, tuple[float, x509.CertificateRevocationList]] = field(default_factory=dict)
    _url_cache: dict[str, tuple[float, x509.CertificateRevocationList]] = field(default_factory=dict)

    def _fetch(self, url: str) -> x509.CertificateRevocationList:
        import requests  # imported late: only a server that fetches CRLs over HTTP needs it loaded

        cached = self._url_cache.get(url)
        if cached is not None and time.monotonic() - cached[0] < self.crl_refresh_seconds:
            return cached[1]
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            crl = _parse_crl(response.content)
        except (requests.RequestException, ValueError):
            if cached is not None:
                return cached[1]  # keep using the last good list rather than dropping revocations
            raise ApiError("revocation_unavailable") from None
        self._url_cache[url] = (time.monotonic(), crl)
        return crl

    def issuer_of(self, cert: x509.Certificate) -> x509.Certificate:
        """The configured root that issued and signed this certificate, else ApiError("unknown_ca")."""
        for root in self.roots:
            if root.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return root
        raise ApiError("unknown_ca")

    def crls(self) -> list[x509.CertificateRevocationList]:
        """Current CRLs whose signature verifies against a configured root."""
        result = []
        for path in self.crl_paths:
            mtime = path.stat().st_mtime
            cached = self._crl_cache.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, _load_crl(path))
                self._crl_cache[path] = cached
            result.append(cached[1])
        result.extend(self._fetch(url) for url in self.crl_urls)
        return result

    def is_revoked(self, cert: x509.Certificate, issuer: x509.Certificate) -> bool:
        """True when a CRL signed by the certificate's issuer lists its serial."""
        for crl in self.crls():
            if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
                continue
            if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                return True
        return False

    def verify(self, cert: x509.Certificate, *, at: datetime) -> CertificateIdentity:
        """Chain, validity dates and revocation; raises ApiError with the first failing check."""
        issuer = self.issuer_of(cert)
        if at < cert.not_valid_before_utc:
            raise ApiError("certificate_not_yet_valid")
        if at > cert.not_valid_after_utc:
            raise ApiError("certificate_expired")
        if self.is_revoked(cert, issuer):
            raise ApiError("certificate_revoked")
        return identity_of(cert)


def load_trust_store(*, root_paths: list[str], crl_paths: list[str], crl_refresh_seconds: float = 3600.0) -> TrustStore:
    """Read the configured roots now (a missing file stops start-up); CRLs (files or URLs) are read on use.

    :raises SettingError: a root or CRL file that cannot be read or is not one, naming the setting.
    """
    roots: list[x509.Certificate] = []
    for root_path in root_paths:
        roots.extend(_read_at_start("jlis_root_paths", Path(root_path), _load_roots))
    files = [Path(p) for p in crl_paths if not _is_url(p)]
    for crl_file in files:
        _read_at_start("crl_paths", crl_file, _load_crl)  # fail at start-up, not at the first migration
    return TrustStore(roots=roots, crl_paths=files, crl_urls=[u for u in crl_paths if _is_url(u)],
                      crl_refresh_seconds=crl_refresh_seconds)


def verify_signature(*, cert: x509.Certificate, data: bytes, signature: bytes) -> None:
    """Check an RSA PKCS#1 v1.5 SHA-256 signature by the certificate's key, else ApiError("bad_signature")."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ApiError("bad_signature")
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise ApiError("bad_signature") from None
