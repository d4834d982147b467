"""A TEST J-LIS-like PKI: two root CA generations, patron auth certificates, and CRLs.

Like the real JPKI there are two hierarchies: the 利用者証明用 (auth) CAs the kiosk
trusts, and separate 署名用 (sign) CAs for the signing certificate every card also
carries (with the holder's name and address, so the kiosk never reads it; OpenSC does).

Generated with `cryptography`, cached in a directory (default `var/personas/`)
because RSA key generation is slow, and regenerated when the cache is missing,
stale (a certificate or CRL that should be valid no longer is) or made from
other persona specs. Validity periods are relative to the generation time, so
the "2015" CA is still valid today (the real one expired on 2025-10-19): the
generation names only mirror the real JPKI's two CA generations.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from virtualcard.personas import SPECS, Persona, PersonaSpec, SigningSide

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "var" / "personas"
FORMAT_VERSION = 3  # 3: the 署名用 hierarchy and keys
GENERATIONS = (2015, 2023)
_DAY = dt.timedelta(days=1)
_MIN_REMAINING = dt.timedelta(days=30)  # regenerate before anything that should be valid gets close to expiry


@dataclass(frozen=True)
class TestPki:
    """The generated test PKI: both root generations, their CRLs and every persona."""

    __test__ = False  # not a pytest test class

    directory: Path
    roots: list[x509.Certificate]
    root_pem_paths: list[Path]
    crl_paths: list[Path]
    crl_path: Path  # the CRL that lists the revoked persona
    crls: list[x509.CertificateRevocationList]
    personas: dict[str, Persona]
    sign_roots: list[x509.Certificate]  # the 署名用 CAs, per generation

    def root_for(self, generation: int) -> x509.Certificate:
        """The root CA certificate of a generation (2015 or 2023)."""
        return self.roots[GENERATIONS.index(generation)]


def _name(generation: int, purpose: str = "Auth") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST JPKI (not J-LIS, tests only)"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "TEST Japanese Government"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"TEST JPKIfor{purpose}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"TEST JPKI {purpose} CA Generation {generation}"),
        ]
    )


# SubjectAltName otherNames of the real 署名用 certificate (jpki/myna libmyna/jpki_ap.go).
_OID_NAME = x509.ObjectIdentifier("1.2.392.200149.8.5.5.1")
_OID_SEX = x509.ObjectIdentifier("1.2.392.200149.8.5.5.3")
_OID_BIRTH = x509.ObjectIdentifier("1.2.392.200149.8.5.5.4")
_OID_ADDRESS = x509.ObjectIdentifier("1.2.392.200149.8.5.5.5")


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _make_root(
    generation: int, key: rsa.RSAPrivateKey, now: dt.datetime, purpose: str = "Auth"
) -> x509.Certificate:
    # The older generation started earlier and ends sooner, like the real pair.
    start, end = (now - 8 * 365 * _DAY, now + 4 * 365 * _DAY) if generation == 2015 else (
        now - 2 * 365 * _DAY,
        now + 10 * 365 * _DAY,
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(generation, purpose))
        .issuer_name(_name(generation, purpose))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )


def _validity(spec: PersonaSpec, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if spec.cert_validity == "expired":
        return now - 5 * 365 * _DAY, now - 30 * _DAY
    if spec.cert_validity == "renewed":
        return now - _DAY, now + 5 * 365 * _DAY
    return now - 2 * 365 * _DAY, now + 3 * 365 * _DAY


def _make_patron_cert(
    spec: PersonaSpec,
    key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    ca_key: rsa.RSAPrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    start, end = _validity(spec, now)
    crl_url = f"http://crl.test.invalid/jpki-auth-{spec.ca_generation}.crl"
    serial = x509.random_serial_number()
    # Like the real 利用者証明用 certificate, the subject carries no personal data.
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST ONLY"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"TEST{serial:032X}"[:36]),
        ]
    )
    return (
        _end_entity(subject, key, serial, ca_cert, start, end,
                    x509.KeyUsage(True, False, False, False, False, False, False, False, False))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _end_entity(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    serial: int,
    ca_cert: x509.Certificate,
    start: dt.datetime,
    end: dt.datetime,
    usage: x509.KeyUsage,
) -> x509.CertificateBuilder:
    """What both card certificates (利用者証明用, 署名用) start with: not a CA, and their own key usage."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
    )


def _utf8(text: str) -> bytes:
    raw = text.encode()
    return b"\x0c" + _der_length(len(raw)) + raw  # DER UTF8String


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(raw),)) + raw


def _make_sign_cert(
    spec: PersonaSpec,
    key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    ca_key: rsa.RSAPrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    """The 署名用 certificate: unlike the auth one it names the holder (subjectAltName otherNames)."""
    start, end = _validity(spec, now)
    serial = x509.random_serial_number()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "TEST Saga-ken"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"TEST{serial:032X}"[:36]),
        ]
    )
    alt_names = x509.SubjectAlternativeName(
        [
            x509.OtherName(_OID_NAME, _utf8(spec.name)),
            x509.OtherName(_OID_SEX, _utf8(spec.sex)),
            x509.OtherName(_OID_BIRTH, _utf8(spec.birth_date.strftime("%Y%m%d"))),
            x509.OtherName(_OID_ADDRESS, _utf8(spec.address)),
        ]
    )
    return (
        # digitalSignature and nonRepudiation, as on the real card
        _end_entity(subject, key, serial, ca_cert, start, end,
                    x509.KeyUsage(True, True, False, False, False, False, False, False, False))
        .add_extension(alt_names, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _make_crl(
    ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey, revoked: list[int], now: dt.datetime
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - _DAY)
        .next_update(now + 365 * _DAY)
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - _DAY).build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _specs_digest() -> str:
    blob = json.dumps([asdict(s) for s in SPECS], default=str, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def generate(directory: Path) -> None:
    """Generate the whole PKI and every persona into `directory` (which must be empty or absent)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    directory.mkdir(parents=True, exist_ok=True)
    ca: dict[int, tuple[x509.Certificate, rsa.RSAPrivateKey]] = {}
    for generation in GENERATIONS:
        key = _new_key()
        cert = _make_root(generation, key, now)
        ca[generation] = (cert, key)
        (directory / f"root-{generation}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (directory / f"root-{generation}.key.pem").write_bytes(_pem_key(key))
    sign_ca: dict[int, tuple[x509.Certificate, rsa.RSAPrivateKey]] = {}
    for generation in GENERATIONS:
        key = _new_key()
        cert = _make_root(generation, key, now, "Sign")
        sign_ca[generation] = (cert, key)
        (directory / f"sign-root-{generation}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    revoked: dict[int, list[int]] = {g: [] for g in GENERATIONS}
    for spec in SPECS:
        key = _new_key()
        ca_cert, ca_key = ca[spec.ca_generation]
        cert = _make_patron_cert(spec, key, ca_cert, ca_key, now)
        if spec.revoked:
            revoked[spec.ca_generation].append(cert.serial_number)
        (directory / f"{spec.key}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (directory / f"{spec.key}.key.pem").write_bytes(_pem_key(key))
        sign_key = _new_key()
        sign_cert = _make_sign_cert(spec, sign_key, *sign_ca[spec.ca_generation], now)
        (directory / f"{spec.key}.sign.cert.pem").write_bytes(sign_cert.public_bytes(serialization.Encoding.PEM))
        (directory / f"{spec.key}.sign.key.pem").write_bytes(_pem_key(sign_key))
    for generation in GENERATIONS:
        crl = _make_crl(*ca[generation], revoked[generation], now)
        (directory / f"crl-{generation}.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    manifest = {"format": FORMAT_VERSION, "specs": _specs_digest(), "created": now.isoformat()}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def load(directory: Path) -> TestPki:
    """Load a generated PKI from `directory` (no freshness check)."""
    roots = [x509.load_pem_x509_certificate((directory / f"root-{g}.pem").read_bytes()) for g in GENERATIONS]
    crl_paths = [directory / f"crl-{g}.pem" for g in GENERATIONS]
    crls = [x509.load_pem_x509_crl(p.read_bytes()) for p in crl_paths]
    sign_roots = [
        x509.load_pem_x509_certificate((directory / f"sign-root-{g}.pem").read_bytes()) for g in GENERATIONS
    ]
    personas: dict[str, Persona] = {}
    for spec in SPECS:
        cert = x509.load_pem_x509_certificate((directory / f"{spec.key}.cert.pem").read_bytes())
        key = _load_key(directory / f"{spec.key}.key.pem")
        sign_cert = x509.load_pem_x509_certificate((directory / f"{spec.key}.sign.cert.pem").read_bytes())
        signing = SigningSide(
            password=spec.sign_password,
            tries=spec.sign_tries,
            cert=sign_cert,
            cert_der=sign_cert.public_bytes(serialization.Encoding.DER),
            private_key=_load_key(directory / f"{spec.key}.sign.key.pem"),
            issuer_cert=sign_roots[GENERATIONS.index(spec.ca_generation)],
        )
        personas[spec.key] = Persona(
            key=spec.key,
            person_id=spec.person_id,
            library_card=spec.library_card,
            has_old_link=spec.has_old_link,
            auth_pin=spec.auth_pin,
            text_pin=spec.text_pin,
            auth_tries=spec.auth_tries,
            text_tries=spec.text_tries,
            cert=cert,
            cert_der=cert.public_bytes(serialization.Encoding.DER),
            private_key=key,
            issuer_cert=roots[GENERATIONS.index(spec.ca_generation)],
            name=spec.name,
            address=spec.address,
            birth_date=spec.birth_date,
            sex=spec.sex,
            kind=spec.kind,
            pull_out_after_chunks=spec.pull_out_after_chunks,
            revoked=spec.revoked,
            fake_my_number=spec.fake_my_number,
            ca_generation=spec.ca_generation,
            signing=signing,
        )
    revoked_generation = next(s.ca_generation for s in SPECS if s.revoked)
    return TestPki(
        directory=directory,
        roots=roots,
        root_pem_paths=[directory / f"root-{g}.pem" for g in GENERATIONS],
        crl_paths=crl_paths,
        crl_path=crl_paths[GENERATIONS.index(revoked_generation)],
        crls=crls,
        personas=personas,
        sign_roots=sign_roots,
    )


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _is_fresh(directory: Path) -> bool:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION or manifest.get("specs") != _specs_digest():
            return False
        pki = load(directory)
    except (OSError, ValueError, KeyError):
        return False
    horizon = dt.datetime.now(dt.UTC) + _MIN_REMAINING
    if any(root.not_valid_after_utc < horizon for root in pki.roots + pki.sign_roots):
        return False
    if any(crl.next_update_utc is None or crl.next_update_utc < horizon for crl in pki.crls):
        return False
    spec_by_key = {s.key: s for s in SPECS}
    for persona in pki.personas.values():
        should_be_valid = spec_by_key[persona.key].cert_validity != "expired"
        if should_be_valid and min(
            persona.cert.not_valid_after_utc, persona.signing.cert.not_valid_after_utc
        ) < horizon:
            return False
    return True


def load_or_create(directory: Path | None = None) -> TestPki:
    """Load the cached test PKI from `directory` (default var/personas/), generating it when needed."""
    directory = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    directory.parent.mkdir(parents=True, exist_ok=True)
    lock_path = directory.parent / f".{directory.name}.lock"
    with open(lock_path, "w") as lock:
        # Several processes (test sessions, the demo) may ask at once: generate only once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _is_fresh(directory):
            _regenerate(directory)
        return load(directory)


def _regenerate(directory: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        generate(staging)
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
