"""SIP2 messages as bytes: build the requests a self-check sends, parse the answers, keep every field.

A message is a 2-digit command id, a fixed-length part, then variable fields "XXvalue|" (two-letter id,
value, delimiter), and with error detection a trailer "AY<sequence>AZ<checksum>", ended by CR. Fields
this client has no use for are kept in order (ILSs add their own ids), and a field may repeat (AF).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from server.ils.sip2 import checksum

DELIMITER = "|"
# Length of the fixed part after the command id, for the answers this client reads.
RESPONSE_FIXED_LENGTHS = {
    "94": 1,  # Login Response: ok
    "96": 0,  # Request SC Resend: the ILS could not read our message
    "98": 34,  # ACS Status: 6 flags, timeout 3, retries 3, date-time 18, protocol version 4
    "24": 35,  # Patron Status Response: patron status 14, language 3, transaction date 18
    "64": 59,  # Patron Information Response: the same, then six 4-digit counts
}
# The 14 positions of the "patron status" field (SIP2 2.00, Patron Status Response): "Y" means true.
PATRON_STATUS_FLAGS = (
    "charge privileges denied",
    "renewal privileges denied",
    "recall privileges denied",
    "hold privileges denied",
    "card reported lost",
    "too many items charged",
    "too many items overdue",
    "too many renewals",
    "too many claims of items returned",
    "too many items lost",
    "excessive outstanding fines",
    "excessive outstanding fees",
    "recall overdue",
    "too many items billed",
)
_SEQUENCE = re.compile(rb"AY(\d)$")
_AZ = re.compile(rb"AZ[0-9A-Fa-f]{4}$")


class MessageError(ValueError):
    """Bytes that are no SIP2 answer this client can read."""


class ChecksumError(MessageError):
    """The answer's AZ checksum does not match its bytes (garbled on the way)."""


@dataclass(frozen=True)
class Message:
    """One parsed SIP2 message; ``fields`` keeps every variable field in order, known or not."""

    command: str
    fixed: str
    fields: tuple[tuple[str, str], ...] = ()
    sequence: int | None = None

    def get(self, code: str) -> str | None:
        """The first value of a field, or None when absent."""
        return next((value for name, value in self.fields if name == code), None)

    def all(self, code: str) -> list[str]:
        """Every value of a (repeatable) field."""
        return [value for name, value in self.fields if name == code]


def sip_datetime(moment: datetime) -> str:
    """The 18-character SIP2 date: YYYYMMDD, 4 blanks (the ILS's local zone), HHMMSS."""
    return moment.strftime("%Y%m%d") + "    " + moment.strftime("%H%M%S")


def encode(command: str, fixed: str, fields: Iterable[tuple[str, str]], *, sequence: int | None,
           encoding: str) -> bytes:
    """A request's bytes, CR-ended; with a sequence number (0-9) the AY/AZ trailer is added."""
    text = command + fixed
    for code, value in fields:
        if len(code) != 2 or any(c in value for c in (DELIMITER, "\r", "\n")):
            raise ValueError(f"field {code!r} cannot be sent as it is")
        text += f"{code}{value}{DELIMITER}"
    data = text.encode(encoding)
    if sequence is not None:
        data += f"AY{sequence % 10}AZ".encode("ascii")
        data += checksum.checksum(data).encode("ascii")
    return data + b"\r"


def parse(frame: bytes, *, encoding: str) -> Message:
    """One answer (CR or CRLF ended; a stray LF before it is ignored) into a Message.

    :raises ChecksumError: an AZ trailer that does not match.
    :raises MessageError: an unknown command, or a fixed part too short.
    """
    body = frame.strip(b"\r\n")
    sequence = None
    if _AZ.search(body):
        if not checksum.verify(body):
            raise ChecksumError("checksum mismatch")
        body = body[:-6]
        found = _SEQUENCE.search(body)
        if found:
            sequence = int(found[1])
            body = body[: found.start()]
    text = body.decode(encoding, errors="replace")
    command = text[:2]
    length = RESPONSE_FIXED_LENGTHS.get(command)
    if length is None:
        raise MessageError(f"unexpected message {command!r}")
    fixed = text[2 : 2 + length]
    if len(fixed) < length:
        raise MessageError(f"message {command} is shorter than its fixed part")
    fields = tuple((part[:2], part[2:]) for part in text[2 + length :].split(DELIMITER) if part)
    return Message(command=command, fixed=fixed, fields=fields, sequence=sequence)


def patron_flags(answer: Message) -> frozenset[str]:
    """The flags set in a 24 or 64 answer's 14-character patron status."""
    return frozenset(name for name, char in zip(PATRON_STATUS_FLAGS, answer.fixed[:14], strict=False)
                     if char == "Y")


# -- the requests ------------------------------------------------------------------------------------
def login(*, user: str, password: str, location: str) -> tuple[str, str, list[tuple[str, str]]]:
    """93 Login: plain-text user id and password (algorithms "0"), optional location code."""
    fields = [("CN", user), ("CO", password)]
    if location:
        fields.append(("CP", location))
    return "93", "00", fields


def sc_status() -> tuple[str, str, list[tuple[str, str]]]:
    """99 SC Status: status OK, print width 40, protocol 2.00."""
    return "99", "0" + "040" + "2.00", []


def _patron_fields(institution: str, patron: str, terminal_password: str) -> list[tuple[str, str]]:
    return [("AO", institution), ("AA", patron), ("AC", terminal_password), ("AD", "")]


def patron_status(*, institution: str, patron: str, terminal_password: str,
                  now: datetime) -> tuple[str, str, list[tuple[str, str]]]:
    """23 Patron Status Request (language 001: English, as the fields' texts do not matter here)."""
    return "23", "001" + sip_datetime(now), _patron_fields(institution, patron, terminal_password)


def patron_information(*, institution: str, patron: str, terminal_password: str,
                       now: datetime) -> tuple[str, str, list[tuple[str, str]]]:
    """63 Patron Information Request, with no item list asked for (summary all blanks)."""
    return "63", "001" + sip_datetime(now) + " " * 10, _patron_fields(institution, patron, terminal_password)
