"""The central API's answers as the kiosk reads them: one frozen dataclass per answer shape; and the
two request bodies the kiosk's background senders build (a staff action, a heartbeat), at the end.

These are the kiosk's own reading of the server's JSON, deliberately not the server's schemas
(server/*/schemas.py): the kiosk never imports the server, and it reads only the fields it uses, so
the server may add fields without breaking kiosks already installed. Each shape's ``from_json``
raises KeyError, TypeError or ValueError on a body that is not that shape; the transport turns those
into a typed ServerError (kiosk/api/transport.py). No HTTP here, so the flows may use these shapes.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Self

Json = Mapping[str, Any]


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _aware(value: str) -> datetime:
    """A server timestamp the kiosk compares with its own (aware) clock."""
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"server time without a time zone: {value!r}")
    return when


def _precision(value: object) -> str:
    if value not in ("day", "month"):
        raise ValueError(f"unknown expiry precision {value!r}")
    return str(value)


def _optional_str(value: object) -> str | None:
    return str(value) if value is not None else None


@dataclass(frozen=True)
class CardExpiry:
    """A card's expiry as the server computed it (library's today, Asia/Tokyo)."""

    card_number: str
    valid_until: date
    renewable_from: date
    days_left: int | None  # None when told to the month
    status: str  # valid | renewable | expired
    today: date
    # "month" for a typed card number (the server's typed_number_expiry_precision): valid_until and
    # renewable_from are then the first of their month, the day (the patron's birthday) withheld.
    precision: str = "day"

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """GET /v1/cards/{number}/expiry, POST /v1/cards/by-mynumber/expiry, and a check-up's card."""
        return cls(
            card_number=body["card_number"],
            valid_until=date.fromisoformat(body["valid_until"]),
            renewable_from=date.fromisoformat(body["renewable_from"]),
            days_left=int(body["days_left"]) if body["days_left"] is not None else None,
            status=body["status"],
            today=date.fromisoformat(body["today"]),
            precision=_precision(body.get("precision", "day")),
        )


@dataclass(frozen=True)
class CardCheckup:
    """The server's check-up of a My Number card: link scheme, the linked card's expiry, references."""

    link: str  # old | mykey | none
    card: CardExpiry | None  # None when not linked
    migration_reference: str | None  # a switch held for staff confirmation
    reference: str  # the check-up's own reference, for the counter ticket

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/cards/by-mynumber/checkup."""
        link = body["link"]
        if link not in ("old", "mykey", "none"):
            raise ValueError(f"unknown link scheme {link!r}")
        card = CardExpiry.from_json(body["card"]) if body["card"] is not None else None
        if (card is None) != (link == "none"):
            raise ValueError("a linked card comes with its expiry, an unlinked one without")
        return cls(link=link, card=card, migration_reference=body.get("migration_reference"),
                   reference=str(body["reference"]))


@dataclass(frozen=True)
class MigrationChallenge:
    """Bytes for the card to sign with its 利用者証明用 key."""

    challenge_id: str
    challenge: bytes
    expires_at: datetime

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/cards/challenges (/v1/migrations/challenges before)."""
        return cls(challenge_id=body["challenge_id"], challenge=base64.b64decode(body["challenge"]),
                   expires_at=datetime.fromisoformat(body["expires_at"]))


@dataclass(frozen=True)
class MigrationOutcome:
    """completed, or pending with a reference code for the counter."""

    status: str
    card_number: str
    reference_code: str | None

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/migrations."""
        return cls(body["status"], body["card_number"], body.get("reference_code"))


@dataclass(frozen=True)
class RenewalProof:
    """The server's proof that a My Number card signed for a library card number."""

    proof: str

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/renewals/proofs."""
        return cls(proof=str(body["proof"]))


@dataclass(frozen=True)
class RenewalAnswer:
    """The server's comparison of the card with the record: "same"/"different" per field, never the record."""

    card_number: str
    status: str  # renewable | expired
    name: str
    birth_date: str
    address: str
    reference_code: str | None = None  # set once the request is stored

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/renewals/compare and POST /v1/renewals."""
        return cls(card_number=str(body["card_number"]), status=str(body["status"]), name=str(body["name"]),
                   birth_date=str(body["birth_date"]), address=str(body["address"]),
                   reference_code=_optional_str(body.get("reference_code")))


@dataclass(frozen=True)
class ApplicationReceipt:
    """A stored registration application: its reference for the counter (nothing personal comes back)."""

    reference_code: str
    status: str  # waiting

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/registration/applications."""
        reference = str(body["reference_code"])
        if not reference:
            raise ValueError("an application without a reference code")
        return cls(reference_code=reference, status=str(body["status"]))


@dataclass(frozen=True)
class AcceptedId:
    """A document the counter accepts (or refuses) for a registration: a stable id, the library's wording."""

    id: str
    name_ja: str
    name_en: str

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """One item of GET /v1/registration/accepted-ids."""
        return cls(id=str(body["id"]), name_ja=str(body["name_ja"]), name_en=str(body["name_en"]))


@dataclass(frozen=True)
class AcceptedIds:
    """What to bring to register without a My Number card; the not-accepted ones (the 通知カード) too."""

    ids: tuple[AcceptedId, ...]
    address_proofs: tuple[AcceptedId, ...]
    not_accepted: tuple[AcceptedId, ...]

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """GET /v1/registration/accepted-ids."""
        return cls(*(tuple(AcceptedId.from_json(item) for item in body[key])
                     for key in ("ids", "address_proofs", "not_accepted")))


@dataclass(frozen=True)
class TicketService:
    """A counter service a queue ticket can be issued for."""

    service: str
    prefix: str
    name_ja: str
    name_en: str
    open: bool
    opens_at: datetime | None
    waiting: int
    wait_minutes: int | None

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """One entry of GET /v1/tickets/services."""
        return cls(service=body["service"], prefix=body["prefix"], name_ja=body["name_ja"], name_en=body["name_en"],
                   open=bool(body["open"]), opens_at=_when(body.get("opens_at")), waiting=int(body["waiting"]),
                   wait_minutes=body.get("wait_minutes"))


@dataclass(frozen=True)
class TicketServices:
    """The services, and whether the counter is open now (when not, when it opens)."""

    open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    services: tuple[TicketService, ...]

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """GET /v1/tickets/services."""
        return cls(open=bool(body["open"]), opens_at=_when(body.get("opens_at")),
                   closes_at=_when(body.get("closes_at")),
                   services=tuple(TicketService.from_json(s) for s in body["services"]))


@dataclass(frozen=True)
class IssuedTicket:
    """A queue ticket as the server numbered it: everything the kiosk prints (the ticket flow's view adds
    why the patron was sent, kiosk/flows/ticket.py)."""

    ticket_id: str
    number: str
    service: str
    service_ja: str
    service_en: str
    issued_at: datetime
    people_ahead: int
    wait_minutes: int | None
    status_url: str

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/tickets."""
        return cls(ticket_id=body["ticket_id"], number=body["number"], service=body["service"],
                   service_ja=body["service_ja"], service_en=body["service_en"],
                   issued_at=datetime.fromisoformat(body["issued_at"]), people_ahead=int(body["people_ahead"]),
                   wait_minutes=body.get("wait_minutes"), status_url=body["status_url"])


@dataclass(frozen=True)
class TicketPrinted:
    """The server's count of prints of a ticket."""

    ticket_id: str
    number: str
    print_count: int

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/tickets/{id}/printed."""
        return cls(ticket_id=body["ticket_id"], number=body["number"], print_count=int(body["print_count"]))


@dataclass(frozen=True)
class StaffAlert:
    """A "call staff" alert as the server recorded it."""

    alert_id: int
    reason: str
    created_at: datetime

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/alerts."""
        return cls(alert_id=int(body["id"]), reason=body["reason"],
                   created_at=datetime.fromisoformat(body["created_at"]))


@dataclass(frozen=True)
class StaffCredential:
    """A staff member as this kiosk caches it: id, role and the argon2id hash of their maintenance PIN for
    this kiosk only (never a PIN, never a staff PIN's hash: server/fleet/maintenance.py)."""

    staff_id: str
    role: str
    pin_hash: str = ""

    def __repr__(self) -> str:
        # The hash is not a PIN, but a 4-6 digit PIN falls to an offline search: keep it out of logs.
        return f"StaffCredential(staff_id={self.staff_id!r}, role={self.role!r})"


@dataclass(frozen=True)
class MaintenanceCredentials:
    """Whose maintenance PINs these are, and the staff they open the kiosk for."""

    kiosk_id: object  # compared with this kiosk's id before anything is cached
    staff: tuple[StaffCredential, ...]

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """GET /v1/kiosk/maintenance-credentials."""
        return cls(kiosk_id=body.get("kiosk_id"),
                   staff=tuple(StaffCredential(staff_id=s["staff_id"], role=s["role"], pin_hash=s["pin_hash"])
                               for s in body["staff"]))


@dataclass(frozen=True)
class ServerClock:
    """The server's time (GET /health/clock), and its signature window when it says."""

    time: datetime
    auth_window_s: int | None

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """GET /health/clock."""
        window = body.get("auth_window_s")
        return cls(time=_aware(body["time"]), auth_window_s=int(window) if window else None)


@dataclass(frozen=True)
class HeartbeatReceipt:
    """The server's answer to a heartbeat: when it received it, by its clock (a free skew check)."""

    received_at: datetime | None

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """POST /v1/kiosk/heartbeat."""
        value = body.get("received_at")
        return cls(received_at=_aware(value) if isinstance(value, str) else None)


@dataclass(frozen=True)
class Accepted:
    """An answer the kiosk only needs to be the API's JSON (the staff audit, the statistics count)."""

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """Any JSON object."""
        return cls()


# Request bodies the maintenance core builds and the outbox may keep on disk until the server has them.
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class StaffEvent:
    """One staff action at this kiosk: who, what, outcome, when (kiosk clock), small facts only
    (POST /v1/kiosk/audit; the event id is the idempotency key, so a resend makes no second audit row)."""

    staff_id: str
    action: str
    outcome: str = "ok"
    detail: Mapping[str, Scalar] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_json(self) -> dict[str, Any]:
        """The request body (the event id goes as the Idempotency-Key, not in the body)."""
        return {"staff_id": self.staff_id, "action": self.action, "outcome": self.outcome,
                "at": self.at.isoformat(), "detail": dict(self.detail)}

    @classmethod
    def from_json(cls, body: Json, *, event_id: str) -> Self:
        """The event back from its body (as the outbox keeps it) and its id."""
        return cls(staff_id=body["staff_id"], action=body["action"], outcome=body["outcome"],
                   detail=body["detail"], at=datetime.fromisoformat(body["at"]), event_id=event_id)


@dataclass(frozen=True)
class KioskState:
    """One heartbeat's content (POST /v1/kiosk/heartbeat): no personal data, only the kiosk's own state."""

    version: str
    kiosk_time: datetime
    interval_s: int
    in_service: bool
    reader: str | None  # the readers' names, or None when none is attached
    reader_error: str | None
    printer_online: bool
    printer_paper: str
    printer_error: str | None
    outbox_length: int | None
    last_error: str | None
    last_error_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The request body."""
        body = asdict(self)
        for key in ("kiosk_time", "last_error_at"):
            body[key] = body[key].isoformat() if body[key] else None
        return body

    @classmethod
    def from_json(cls, body: Json) -> Self:
        """The state back from its body (as the outbox keeps it)."""
        fields: dict[str, Any] = dict(body)
        for key in ("kiosk_time", "last_error_at"):
            fields[key] = _when(fields.get(key))
        return cls(**fields)
