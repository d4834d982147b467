"""The TRAFFIC log level (below DEBUG) and APDU formatting that never shows a PIN or personal data."""

from __future__ import annotations

import logging

TRAFFIC = 5
logging.addLevelName(TRAFFIC, "TRAFFIC")

_INS_VERIFY = 0x20


def describe_command(command: bytes | bytearray) -> str:
    """Hex of a command APDU, with the data field of any VERIFY replaced by its length."""
    if len(command) > 5 and command[1] == _INS_VERIFY:
        return f"{bytes(command[:5]).hex().upper()} <{len(command) - 5} bytes redacted>"
    return bytes(command).hex().upper()


def describe_response(data: bytes, sw: int) -> str:
    """A response as its length and SW only: responses carry personal data (basic four, certificate)."""
    return f"{len(data)} bytes SW={sw:04X}"
