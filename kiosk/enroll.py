"""Enroll this kiosk: redeem a one-time code for its id and secret, and keep them in a 0600 file.

    python -m kiosk.enroll CODE --server https://kiosk-api.example [--credentials PATH] [--owner kiosk]
    python -m kiosk.enroll --kiosk-id ID --secret-stdin --server URL [--credentials PATH]   (a kiosk-rotate secret)

The file is what `[server] credentials_file` (or KIOSK_SERVER_CREDENTIALS_FILE) names; it is replaced
atomically, so a failed enrollment leaves the previous credentials in place. Re-enrolling with a new
code (admin kiosk-enroll-code) is also how a kiosk takes a new secret: the old one is refused at once.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import requests

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import KioskApiError
from kiosk.api.transport import VERSION_HEADER, kiosk_version
from kiosk.config import ROOT

DEFAULT_CREDENTIALS = "var/kiosk/credentials.toml"


def redeem(*, server: str, code: str, timeout_s: float = 10.0, ca_file: str | None = None) -> tuple[str, str]:
    """(kiosk_id, secret) for a one-time code; raises SystemExit with the server's message when refused."""
    try:
        response = requests.post(server.rstrip("/") + "/v1/kiosk/enroll", json={"code": code}, timeout=timeout_s,
                                 headers={VERSION_HEADER: kiosk_version(), "Accept": "application/json"},
                                 verify=ca_file or True)
    except requests.RequestException as error:
        raise SystemExit(f"enroll: cannot reach {server}: {error}") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        err = body.get("error", {}) if isinstance(body, dict) else {}
        raise SystemExit(f"enroll: refused ({err.get('code', response.status_code)}): "
                         f"{err.get('message_en', '')} / {err.get('message_ja', '')}")
    return str(body["kiosk_id"]), str(body["secret"])


def write_credentials(path: Path, *, server: str, kiosk_id: str, secret: str, owner: str | None = None) -> None:
    """Write [server] url, kiosk_id, secret to `path`, mode 0600 (owned by `owner` when given), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # json.dumps gives valid TOML basic strings.
    text = (f"# Written by python -m kiosk.enroll at {datetime.now(UTC).isoformat(timespec='seconds')}; "
            "keep it readable by the kiosk user only.\n[server]\n"
            f"url = {json.dumps(server)}\nkiosk_id = {json.dumps(kiosk_id)}\nsecret = {json.dumps(secret)}\n")
    fd, temp = tempfile.mkstemp(prefix=".credentials-", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if owner:
            entry = pwd.getpwnam(owner)
            os.chown(temp, entry.pw_uid, entry.pw_gid)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def check(*, server: str, kiosk_id: str, secret: str, ca_file: str | None = None) -> str:
    """One signed request with the new credentials, and the clock comparison: a line to print."""
    client = KioskApiClient(server, kiosk_id, secret, timeout=10.0, ca_file=ca_file)
    try:
        clock = client.check_clock()
        client.maintenance_credentials()  # signed: proves the secret works
    except KioskApiError as error:
        return f"WARNING: the credentials were saved but a signed request failed: {error}"
    finally:
        client.close()
    line = f"signed request ok; clock skew {clock.skew_s:+.1f} s (window {clock.window_s} s)"
    return line if clock.within_window else line + " -- WARNING: fix the clock (NTP) before service"


def _check_arguments(*, server: str, path: Path, ca_file: str | None) -> None:
    """One line (SystemExit) for a server URL, credentials file or CA file that cannot work, before any request."""
    if not re.match(r"^https?://[^\s/]+", server):
        raise SystemExit(f"enroll: --server: {server!r} is not an http(s) URL")
    if path.is_dir():
        raise SystemExit(f"enroll: --credentials (KIOSK_SERVER_CREDENTIALS_FILE): {path} is a directory, not a file")
    if ca_file and not Path(ca_file).is_file():
        raise SystemExit(f"enroll: --ca-file (KIOSK_SERVER_CA_FILE): {ca_file} is not a file")


def main(argv: list[str] | None = None) -> int:
    """Enroll (or store a rotated secret) and verify the result."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.enroll", description=__doc__.splitlines()[0])
    parser.add_argument("code", nargs="?", help="the one-time code from admin kiosk-enroll-code")
    parser.add_argument("--server", required=True, help="the central API's base URL (https://...)")
    parser.add_argument("--credentials", default=os.environ.get("KIOSK_SERVER_CREDENTIALS_FILE", DEFAULT_CREDENTIALS),
                        help="file to write (default: KIOSK_SERVER_CREDENTIALS_FILE or %(default)s)")
    parser.add_argument("--owner", help="user to own the file (when run as root)")
    parser.add_argument("--ca-file", default=os.environ.get("KIOSK_SERVER_CA_FILE") or None,
                        help="PEM of a private CA that issued the server's certificate (default: KIOSK_SERVER_CA_FILE)")
    parser.add_argument("--kiosk-id", help="with --secret-stdin: this kiosk's id")
    parser.add_argument("--secret-stdin", action="store_true", help="read a secret from admin kiosk-rotate instead")
    args = parser.parse_args(argv)
    path = Path(args.credentials) if Path(args.credentials).is_absolute() else ROOT / args.credentials
    _check_arguments(server=args.server, path=path, ca_file=args.ca_file)
    if args.secret_stdin:
        if not args.kiosk_id or args.code:
            parser.error("--secret-stdin needs --kiosk-id and no code")
        kiosk_id, secret = args.kiosk_id, sys.stdin.readline().strip()
        if len(secret) < 16:
            parser.error("the secret on standard input is shorter than 16 characters")
    elif args.code:
        kiosk_id, secret = redeem(server=args.server, code=args.code, ca_file=args.ca_file)
    else:
        parser.error("give the one-time code, or --kiosk-id with --secret-stdin")
    try:
        write_credentials(path, server=args.server, kiosk_id=kiosk_id, secret=secret, owner=args.owner)
    except (OSError, KeyError) as error:  # KeyError: no such --owner user
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SystemExit(f"enroll: cannot write {path}: {reason} (the credentials were not saved)") from None
    print(f"kiosk {kiosk_id}: credentials written to {path} (mode 0600)")
    print(check(server=args.server, kiosk_id=kiosk_id, secret=secret, ca_file=args.ca_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
