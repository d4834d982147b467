"""What left the kiosk for the library's server in this patron session: the source of the privacy slip.

Truthful by construction: the API client's transport hook (kiosk/api/client.py's record_patron_request)
records the field names of every request it sends for a patron (from the real request body, or the
number carried in the path), before the request goes out,
so a request that failed on the way is listed too. A field this module has no label for is still
listed, under its own name: nothing sent is ever hidden. Background traffic (heartbeats, print
marks, staff audit, the anonymous statistics counts) carries no patron data and is not recorded here;
a client call opts out only by saying background=True.

Only field names are kept, never values: the ledger itself holds nothing personal. It is cleared
when the patron session ends.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

# Request fields a patron flow may send, and the catalogue key of their patron-facing label.
FIELD_LABELS: dict[str, str] = {
    "card_number": "disclosure.field.card_number",
    "birth_date": "disclosure.field.birth_date",
    "certificate": "disclosure.field.certificate",
    "signature": "disclosure.field.signature",
    "challenge_id": "disclosure.field.challenge_id",
    "proof": "disclosure.field.proof",
    "service": "disclosure.field.service",
    "reason": "disclosure.field.reason",
    "reference": "disclosure.field.reference",
    "name": "disclosure.field.name",
    "address": "disclosure.field.address",
    "sex": "disclosure.field.sex",
    "phone": "disclosure.field.phone",
    "email": "disclosure.field.email",
}
UNKNOWN_LABEL = "disclosure.field.unknown"

# Never sent, whatever the flow: the card layer cannot read the 個人番号, and a PIN never leaves the card reader.
NEVER_SENT = ("disclosure.not_sent.my_number", "disclosure.not_sent.pin")
# Not sent unless a renewal request sent it (then it is listed as sent instead).
NOT_SENT_UNLESS_RENEWAL: dict[str, str] = {
    "name": "disclosure.not_sent.name",
    "address": "disclosure.not_sent.address",
    "sex": "disclosure.not_sent.sex",
}
RECORD_PREFIX = "SAGA-LIB-SENT/1"
# Alphabet of references read aloud (as the server's): no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


@dataclass(frozen=True)
class Sent:
    """One request sent for the patron: what it was for and the names of the fields it carried."""

    purpose: str  # which request: "checkup", "migration", "challenge", ... (for tests and logs)
    fields: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class Disclosures:
    """A snapshot of the ledger for the screen and the slip."""

    sent: tuple[Sent, ...]
    session_reference: str

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field name sent, once each, in the order first sent."""
        return tuple(dict.fromkeys(f for s in self.sent for f in s.fields))

    def not_sent(self) -> tuple[str, ...]:
        """Catalogue keys of what was not sent (the 個人番号 and the PIN always)."""
        sent = set(self.fields)
        return NEVER_SENT + tuple(key for f, key in NOT_SENT_UNLESS_RENEWAL.items() if f not in sent)

    def machine_readable(self, reference: str, at: datetime) -> str:
        """The slip's QR text: field names only, so a reader (or a test) can check the slip against the ledger."""
        not_sent = ",".join(key.rsplit(".", 1)[1] for key in self.not_sent())
        return f"{RECORD_PREFIX};ref={reference};at={at.isoformat(timespec='minutes')};" \
               f"sent={','.join(self.fields)};not_sent={not_sent}"


def label_key(field: str) -> str:
    """The catalogue key of a field's label; UNKNOWN_LABEL (shown with the raw name) when there is none."""
    return FIELD_LABELS.get(field, UNKNOWN_LABEL)


def parse_machine_readable(text: str) -> dict[str, str]:
    """The fields of a slip's QR text (RECORD_PREFIX first); ValueError if it is not one."""
    prefix, *parts = text.split(";")
    if prefix != RECORD_PREFIX:
        raise ValueError("not a what-was-sent record")
    return dict(part.split("=", 1) for part in parts)


def new_session_reference() -> str:
    """A reference for a session that has no reference of its own from the server, e.g. S-K7TQ3A."""
    return "S-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


class DisclosureLedger:
    """Thread-safe: the flow worker records, the UI thread reads and clears."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[Sent] = []
        self._reference = new_session_reference()

    def record(self, purpose: str, fields: tuple[str, ...] | list[str], at: datetime) -> None:
        """A request for ``purpose`` carrying ``fields`` is about to be sent."""
        with self._lock:
            self._sent.append(Sent(purpose, tuple(fields), at))

    def snapshot(self) -> Disclosures:
        """What was sent so far in this session."""
        with self._lock:
            return Disclosures(tuple(self._sent), self._reference)

    def clear(self) -> None:
        """The session is over: forget it all (and start a fresh session reference)."""
        with self._lock:
            self._sent.clear()
            self._reference = new_session_reference()
