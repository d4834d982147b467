"""Encrypted backups with age (Debian's `age` package): the server holds only the recipients' public keys.

Why age: a small, audited, standard format (X25519 + ChaCha20-Poly1305 in authenticated chunks). The
server encrypts to public keys (`age1…` lines, from `age-keygen -y` on a machine the library trusts), so
neither the server nor anyone who takes its disk can read its backups; the private key is brought only
for a restore, and IT can also decrypt with the stock `age -d` anywhere. Every chunk and the header are
authenticated: a file altered, truncated or extended anywhere fails to decrypt, so the restore is refused
before the database is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from server.ops.backup import BackupError

SUFFIX = ".age"
_MAGIC = (b"age-encryption.org/v1\n", b"-----BEGIN AGE ENCRYPTED FILE-----")


def _age() -> str:
    found = shutil.which("age")
    if found is None:
        raise BackupError("age not found: install Debian's age package")
    return found


def check_recipients(path: Path) -> None:
    """A readable file of age public keys, and no private key (the server must never hold one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BackupError(f"cannot read the recipients file {path}: {error.strerror}") from error
    if "AGE-SECRET-KEY-" in text:
        raise BackupError(f"{path} holds a PRIVATE key: put only the public key (age-keygen -y) on the server")
    keys = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not keys or not all(key.startswith("age1") for key in keys):
        raise BackupError(f"{path} must list age public keys (age1…), one a line")


def is_encrypted(path: Path) -> bool:
    """Whether `path` is an age file (binary or armored)."""
    with path.open("rb") as file:
        head = file.read(64)
    return any(head.startswith(magic) for magic in _MAGIC)


def encrypt(*, plain: Path, recipients: Path, target: Path) -> None:
    """Encrypt `plain` to `target` (mode 0600, never overwritten); written under a temporary name first."""
    check_recipients(recipients)
    if target.exists():
        raise BackupError(f"{target} exists already: backups are never overwritten")
    age = _age()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    result = subprocess.run([age, "--encrypt", "--recipients-file", str(recipients), "--output", str(partial),
                             str(plain)], capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"age could not encrypt: {result.stderr.strip()}")
    os.replace(partial, target)  # a complete file or none: a copy job never picks up half a backup


def decrypt(*, source: Path, identity: Path, target: Path) -> None:
    """Decrypt `source` with the private key in `identity` into `target` (0600); refused if altered."""
    if not is_encrypted(source):
        raise BackupError(f"{source} is not an age-encrypted backup")
    age = _age()
    target.touch(mode=0o600)
    result = subprocess.run([age, "--decrypt", "--identity", str(identity), "--output", str(target), str(source)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        reason = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "unknown error"
        raise BackupError(f"the backup does not decrypt (altered, truncated, or not for this key): {reason}")
