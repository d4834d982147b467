"""A full migration-style card read (certificate, tries, VERIFY, signature, basic four), shared by tests.

Run as a script (`python -m tests.card.migration_read WORKDIR`) it starts its own
private stack with pcscd's APDU log in WORKDIR and prints the commands it sent
as JSON: pcscd's -a log must come from a process whose PC/SC client points at
that pcscd, and the test process is already bound to the session's.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.card import AuthCertificate, BasicFour, JpkiSession, Pin, TextApSession, sha256_digest_info
from kiosk.card.protocol import Connection


@dataclass
class MigrationRead:
    """What a migration visit takes from the card."""

    certificate: AuthCertificate
    auth_tries: int
    signature: bytes
    basic_four: BasicFour


def migration_read(connection: Connection, auth_pin: str, text_pin: str, challenge: bytes) -> MigrationRead:
    """Certificate + tries, auth PIN, signature, then 入力補助 PIN and the basic four."""
    jpki = JpkiSession(connection)
    jpki.check_my_number_card()
    certificate = jpki.read_auth_certificate()
    tries = jpki.auth_pin_tries_left()
    jpki.verify_auth_pin(Pin(bytearray(auth_pin.encode())))
    signature = jpki.sign_auth(sha256_digest_info(challenge))
    text = TextApSession(jpki.protocol)
    text.text_pin_tries_left()
    text.verify_text_pin(Pin(bytearray(text_pin.encode())))
    return MigrationRead(certificate, tries, signature, text.read_basic_four())


def _main(workdir: Path) -> int:
    from kiosk.card.pcsc import PcscConnection, wait_for_card
    from tests.support.waiting import WAIT_S
    from virtualcard.fake import RecordingConnection
    from virtualcard.pki import load_or_create
    from virtualcard.stack import start_private_stack

    persona = load_or_create().personas["normal"]
    with start_private_stack("normal", apdu_log=True, workdir=workdir) as stack:
        assert wait_for_card(stack.reader, present=True, timeout=WAIT_S)
        with PcscConnection(stack.reader) as conn:
            recorder = RecordingConnection(conn)
            result = migration_read(recorder, persona.auth_pin, persona.text_pin, b"challenge")
        out = {
            "commands": [c.hex().upper() for c in recorder.commands],
            "serial": result.certificate.serial,
            "name_ok": result.basic_four.name == persona.name,
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_main(Path(sys.argv[1])))
