"""Copying a backup off the machine: to a directory (a mounted backup share) or with rsync.

Targets:
- `/mnt/backup/saga` — a directory (e.g. an NFS or SMB mount of the library's backup system): the file is
  written under a temporary name, synced, checked against the original's SHA-256, then renamed;
- `user@host:path/` (rsync over ssh, key authentication, no prompt) or `rsync://host/module/path/` (an
  rsync daemon on the backup host).
Only encrypted backups leave the machine (the command refuses a plain one), and a copy never replaces
a file of the same name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from server.ops.backup import BackupError

# host:path (not a Windows-style or local path containing a colon after a slash)
_SSH_TARGET = re.compile(r"^[^/:]+:")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_remote(target: str) -> bool:
    """Whether `target` is an rsync destination rather than a local directory."""
    return target.startswith("rsync://") or bool(_SSH_TARGET.match(target))


def _to_directory(source: Path, directory: Path) -> Path:
    if not directory.is_dir():
        raise BackupError(f"copy target {directory} is not a directory (is the backup share mounted?)")
    final = directory / source.name
    if final.exists():
        raise BackupError(f"{final} exists already: backups are never overwritten")
    partial = directory / (source.name + ".partial")
    try:
        with source.open("rb") as origin, open(partial, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as copy:
            shutil.copyfileobj(origin, copy, 1 << 20)
            copy.flush()
            os.fsync(copy.fileno())
        if _sha256(partial) != _sha256(source):
            raise BackupError(f"the copy in {directory} differs from the backup (faulty share?)")
        os.replace(partial, final)
    except OSError as error:
        raise BackupError(f"cannot copy to {directory}: {error.strerror}") from error
    finally:
        partial.unlink(missing_ok=True)
    return final


def _with_rsync(source: Path, target: str) -> str:
    rsync = shutil.which("rsync")
    if rsync is None:
        raise BackupError("rsync not found: install Debian's rsync package")
    destination = target if target.endswith("/") else target + "/"
    command = [rsync, "--ignore-existing", "--chmod=F600", "--timeout=120", str(source), destination]
    if not target.startswith("rsync://"):
        # No password prompt from a timer: key authentication only, and a known host key.
        command[1:1] = ["-e", "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes"]
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise BackupError(f"rsync to {target} failed: {result.stderr.strip()}")
    return destination + source.name


def copy_off(source: Path, target: str) -> str:
    """Copy `source` to `target`; returns where it went."""
    if is_remote(target):
        return _with_rsync(source, target)
    return str(_to_directory(source, Path(target)))
