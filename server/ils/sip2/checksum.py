"""SIP2 error detection: the AZ checksum over the message's bytes.

The checksum is the two's complement of the 16-bit sum of every byte from the command id through the
"AZ" of the trailer, written as 4 uppercase hex digits (SIP2 2.00, "Error detection").
"""

from __future__ import annotations

import re

_TRAILER = re.compile(rb"AZ([0-9A-Fa-f]{4})$")


def checksum(data: bytes) -> str:
    """The 4 hex digits that follow ``data`` (which ends in b"AZ")."""
    return f"{-sum(data) & 0xFFFF:04X}"


def verify(frame: bytes) -> bool:
    """Whether a frame (without its CR) ends in an AZ checksum that matches its bytes."""
    match = _TRAILER.search(frame)
    if match is None:
        return False
    return (sum(frame[: match.start(1)]) + int(match[1], 16)) & 0xFFFF == 0
