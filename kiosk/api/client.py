"""KioskApiClient: signed HTTP calls to the central registration API."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from kiosk.api.errors import (
    ApiError,
    KioskVersionUnsupportedError,
    ServerError,
    ServerUnreachableError,
    StaleRequestError,
)
from kiosk.disclosure import DisclosureLedger
from kiosk.timecheck import ClockCheck, ClockWatch, measure
from protocol import signing

if TYPE_CHECKING:  # the maintenance core builds these; only their fields are read here
    from kiosk.maintenance.audit import StaffEvent
    from kiosk.maintenance.heartbeat import KioskState


VERSION_HEADER = "X-Kiosk-Version"


def _kiosk_version() -> str:
    from kiosk.maintenance.version import app_version  # the one place the version is read

    return app_version()


class HmacAuth(requests.auth.AuthBase):
    """Signs a prepared request with the kiosk's secret (usable with any requests call)."""

    def __init__(self, kiosk_id: str, secret: str, clock_offset_s: float = 0.0) -> None:
        self.kiosk_id = kiosk_id
        self.secret = secret
        # Added to the clock when signing ([server] clock_offset_s): drills of a skewed kiosk clock.
        self.clock_offset_s = clock_offset_s

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add X-Kiosk-Id, X-Timestamp, X-Nonce and X-Signature."""
        parts = urlsplit(request.url or "")
        path_with_query = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("a streamed request body cannot be signed; send bytes")
        request.headers.update(
            signing.signed_headers(
                kiosk_id=self.kiosk_id,
                secret=self.secret,
                method=request.method or "GET",
                path_with_query=path_with_query,
                body=body,
                now=time.time() + self.clock_offset_s,
            )
        )
        return request


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


@dataclass(frozen=True)
class CardCheckup:
    """The server's check-up of a My Number card: link scheme, the linked card's expiry, references."""

    link: str  # old | mykey | none
    card: CardExpiry | None  # None when not linked
    migration_reference: str | None  # a switch held for staff confirmation
    reference: str  # the check-up's own reference, for the counter ticket


@dataclass(frozen=True)
class MigrationChallenge:
    """Bytes for the card to sign with its 利用者証明用 key."""

    challenge_id: str
    challenge: bytes
    expires_at: datetime


@dataclass(frozen=True)
class MigrationOutcome:
    """completed, or pending with a reference code for the counter."""

    status: str
    card_number: str
    reference_code: str | None


@dataclass(frozen=True)
class RenewalAnswer:
    """The server's comparison of the card with the record: "same"/"different" per field, never the record."""

    card_number: str
    status: str  # renewable | expired
    name: str
    birth_date: str
    address: str
    reference_code: str | None = None  # set once the request is stored


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


@dataclass(frozen=True)
class TicketServices:
    """The services, and whether the counter is open now (when not, when it opens)."""

    open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    services: tuple[TicketService, ...]


@dataclass(frozen=True)
class IssuedTicket:
    """A queue ticket as the server numbered it: everything the kiosk prints."""

    ticket_id: str
    number: str
    service: str
    service_ja: str
    service_en: str
    issued_at: datetime
    people_ahead: int
    wait_minutes: int | None
    status_url: str


@dataclass(frozen=True)
class TicketPrinted:
    """The server's count of prints of a ticket."""

    ticket_id: str
    number: str
    print_count: int


@dataclass(frozen=True)
class StaffAlert:
    """A "call staff" alert as the server recorded it."""

    alert_id: int
    reason: str
    created_at: datetime


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


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _renewal_body(card_number: str, name: str, address: str, birth_date: date, proof: str) -> dict[str, str]:
    return {"card_number": card_number, "name": name, "address": address, "birth_date": birth_date.isoformat(),
            "proof": proof}


def _renewal(body: dict[str, Any]) -> RenewalAnswer:
    fields = {k: str(body[k]) for k in ("card_number", "status", "name", "birth_date", "address")}
    code = body.get("reference_code")
    return RenewalAnswer(**fields, reference_code=str(code) if code is not None else None)


def _expiry(body: dict[str, Any]) -> CardExpiry:
    return CardExpiry(
        card_number=body["card_number"],
        valid_until=date.fromisoformat(body["valid_until"]),
        renewable_from=date.fromisoformat(body["renewable_from"]),
        days_left=int(body["days_left"]) if body["days_left"] is not None else None,
        status=body["status"],
        today=date.fromisoformat(body["today"]),
        precision=_precision(body.get("precision", "day")),
    )


def _precision(value: object) -> str:
    if value not in ("day", "month"):
        raise ValueError(f"unknown expiry precision {value!r}")
    return str(value)


class KioskApiClient:
    """The central API as the kiosk uses it. Thread-safe enough for one worker thread per call."""

    def __init__(
        self, base_url: str, kiosk_id: str, secret: str, timeout: float = 8.0, *, ca_file: str | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.auth = HmacAuth(kiosk_id, secret, clock_offset_s)
        # Every request says which version this is, so the server can refuse one it no longer supports.
        self._session.headers[VERSION_HEADER] = _kiosk_version()
        # The latest clock comparison with the server (from /health and each heartbeat's answer).
        self.clock = ClockWatch()
        # What this patron session sent (the privacy slip); the app clears it when the session ends.
        self.disclosures = DisclosureLedger()
        if ca_file:
            # Trust exactly this CA for the server's TLS certificate (verification stays on).
            self._session.verify = ca_file

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def _request(
        self, method: str, path: str, *, json_body: dict | None = None, idempotency_key: str | None = None,
        retries: int = 0, purpose: str = "other", path_fields: tuple[str, ...] = (), background: bool = False,
    ) -> dict[str, Any]:
        if not background:
            # Recorded before sending: a request that fails on the way may still have reached the server.
            self.disclosures.record(purpose, path_fields + tuple(json_body or ()), datetime.now(UTC))
        headers = {"Accept": "application/json"}
        if idempotency_key is not None:
            headers[signing.HEADER_IDEMPOTENCY_KEY] = idempotency_key
        attempt = 0
        while True:
            try:
                response = self._session.request(
                    method, self.base_url + path, json=json_body, headers=headers, timeout=self.timeout,
                    # Per request: requests lets REQUESTS_CA_BUNDLE override a Session's own verify.
                    verify=self._session.verify,
                )
                break
            except (requests.ConnectionError, requests.Timeout) as error:
                # Safe to resend only with the same idempotency key: the server answers it once.
                if attempt < retries and idempotency_key is not None:
                    attempt += 1
                    continue
                raise ServerUnreachableError(str(error)) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 and not (isinstance(body, dict) and "error" in body):
            raise ServerError(response.status_code, response.text)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            err = body["error"]
            if response.status_code >= 500 and err.get("code") == "internal_error":
                raise ServerError(response.status_code, response.text)
            if err.get("code") == "stale_request":
                raise StaleRequestError(err["code"], err.get("message_ja", ""), err.get("message_en", ""),
                                        response.status_code)
            if err.get("code") == "kiosk_version_unsupported":
                raise KioskVersionUnsupportedError(
                    err["code"], err.get("message_ja", ""), err.get("message_en", ""), response.status_code,
                    details=err.get("details") if isinstance(err.get("details"), dict) else None)
            raise ApiError(err.get("code", "unknown"), err.get("message_ja", ""), err.get("message_en", ""),
                           response.status_code, details=err.get("details") if isinstance(err.get("details"), dict)
                           else None)
        if not response.ok or not isinstance(body, dict):
            raise ServerError(response.status_code, response.text)
        return body

    def health(self) -> dict[str, Any]:
        """GET /health."""
        return self._request("GET", "/health", background=True)

    def check_clock(self) -> ClockCheck:
        """Compare this kiosk's clock with the server's (/health/clock time, half the round trip allowed for)."""
        sent = datetime.now(UTC)
        body = self._request("GET", "/health/clock", background=True)
        received = datetime.now(UTC)
        check = measure(sent_at=sent, received_at=received, server_time=datetime.fromisoformat(body["time"]),
                        window_s=int(body.get("auth_window_s") or self.clock.window_s))
        self.clock.update(check)
        return check

    def card_expiry(self, card_number: str) -> CardExpiry:
        """Expiry of a library card by its number."""
        return _expiry(self._request("GET", f"/v1/cards/{card_number}/expiry", purpose="expiry",
                                     path_fields=("card_number",)))

    def migration_challenge(self, *, idempotency_key: str | None = None) -> MigrationChallenge:
        """A single-use challenge (also used before an expiry check by My Number card)."""
        body = self._request(
            "POST", "/v1/migrations/challenges", json_body={},
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="challenge",
        )
        return MigrationChallenge(
            challenge_id=body["challenge_id"],
            challenge=base64.b64decode(body["challenge"]),
            expires_at=datetime.fromisoformat(body["expires_at"]),
        )

    def submit_migration(
        self,
        *,
        challenge_id: str,
        card_number: str,
        certificate_der: bytes,
        signature: bytes,
        birth_date: date | None = None,
        idempotency_key: str | None = None,
    ) -> MigrationOutcome:
        """Send the card's answer; the server switches the link (or holds it for staff)."""
        payload: dict[str, Any] = {
            "challenge_id": challenge_id,
            "card_number": card_number,
            "certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode(),
        }
        if birth_date is not None:
            payload["birth_date"] = birth_date.isoformat()
        body = self._request(
            "POST", "/v1/migrations", json_body=payload, idempotency_key=idempotency_key or str(uuid.uuid4()),
            retries=1, purpose="migration",
        )
        return MigrationOutcome(body["status"], body["card_number"], body.get("reference_code"))

    def expiry_by_mynumber(
        self, *, challenge_id: str, certificate_der: bytes, signature: bytes, idempotency_key: str | None = None
    ) -> CardExpiry:
        """Expiry of the library card linked to this My Number card (it signed the challenge)."""
        payload = {
            "challenge_id": challenge_id,
            "certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode(),
        }
        return _expiry(
            self._request(
                "POST", "/v1/cards/by-mynumber/expiry", json_body=payload,
                idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="expiry_by_card",
            )
        )

    def card_checkup(
        self, *, challenge_id: str, certificate_der: bytes, signature: bytes, idempotency_key: str | None = None
    ) -> CardCheckup:
        """Link scheme and library card of this My Number card (it signed the challenge), with a reference."""
        payload = {
            "challenge_id": challenge_id,
            "certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode(),
        }
        body = self._request("POST", "/v1/cards/by-mynumber/checkup", json_body=payload,
                             idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="checkup")
        link = body["link"]
        if link not in ("old", "mykey", "none"):
            raise ValueError(f"unknown link scheme {link!r}")
        card = _expiry(body["card"]) if body["card"] is not None else None
        if (card is None) != (link == "none"):
            raise ValueError("a linked card comes with its expiry, an unlinked one without")
        return CardCheckup(link=link, card=card, migration_reference=body.get("migration_reference"),
                           reference=str(body["reference"]))

    def renewal_proof(self, *, card_number: str, challenge_id: str, certificate_der: bytes, signature: bytes,
                      idempotency_key: str | None = None) -> str:
        """The server's proof that this card signed for ``card_number`` (compares and the request need it)."""
        payload = {
            "card_number": card_number,
            "challenge_id": challenge_id,
            "certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode(),
        }
        body = self._request("POST", "/v1/renewals/proofs", json_body=payload,
                             idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="renewal_proof")
        return str(body["proof"])

    def renewal_compare(self, card_number: str, name: str, address: str, birth_date: date, *,
                        proof: str) -> RenewalAnswer:
        """Compare the card's facts with the library's record (nothing stored)."""
        return _renewal(self._request("POST", "/v1/renewals/compare",
                                      json_body=_renewal_body(card_number, name, address, birth_date, proof),
                                      purpose="renewal_compare"))

    def renewal_request(self, card_number: str, name: str, address: str, birth_date: date, *, proof: str,
                        idempotency_key: str) -> RenewalAnswer:
        """Send the renewal request for the counter; the answer carries its reference code."""
        return _renewal(self._request("POST", "/v1/renewals",
                                      json_body=_renewal_body(card_number, name, address, birth_date, proof),
                                      idempotency_key=idempotency_key, retries=1, purpose="renewal"))

    def ticket_services(self) -> TicketServices:
        """The counter services for queue tickets, their queues, and whether the counter is open."""
        body = self._request("GET", "/v1/tickets/services", purpose="ticket_services")
        return TicketServices(
            open=bool(body["open"]),
            opens_at=_when(body.get("opens_at")),
            closes_at=_when(body.get("closes_at")),
            services=tuple(
                TicketService(
                    service=s["service"], prefix=s["prefix"], name_ja=s["name_ja"], name_en=s["name_en"],
                    open=bool(s["open"]), opens_at=_when(s.get("opens_at")), waiting=int(s["waiting"]),
                    wait_minutes=s.get("wait_minutes"),
                )
                for s in body["services"]
            ),
        )

    def issue_ticket(
        self, service: str, *, idempotency_key: str, reason: str | None = None, reference: str | None = None
    ) -> IssuedTicket:
        """Issue a queue ticket. Keep the key across retries: the server then returns the same ticket.
        Outside opening hours: ApiError("counter_closed") with `.opens_at`."""
        payload: dict[str, Any] = {"service": service}
        if reason is not None:
            payload["reason"] = reason
        if reference is not None:
            payload["reference"] = reference
        body = self._request("POST", "/v1/tickets", json_body=payload, idempotency_key=idempotency_key, retries=1,
                             purpose="ticket")
        return IssuedTicket(
            ticket_id=body["ticket_id"], number=body["number"], service=body["service"],
            service_ja=body["service_ja"], service_en=body["service_en"],
            issued_at=datetime.fromisoformat(body["issued_at"]), people_ahead=int(body["people_ahead"]),
            wait_minutes=body.get("wait_minutes"), status_url=body["status_url"],
        )

    def mark_ticket_printed(self, ticket_id: str, *, idempotency_key: str, reprint: bool = False) -> TicketPrinted:
        """Tell the server the ticket came out of the printer (or was reprinted)."""
        body = self._request(
            "POST", f"/v1/tickets/{ticket_id}/printed", json_body={"reprint": reprint},
            idempotency_key=idempotency_key, retries=1, background=True,
        )
        return TicketPrinted(ticket_id=body["ticket_id"], number=body["number"], print_count=int(body["print_count"]))

    def call_staff(self, reason: str, *, idempotency_key: str, ticket_number: str | None = None) -> StaffAlert:
        """Ask for a member of staff: the alert shows on the counter console until someone takes it."""
        payload: dict[str, Any] = {"reason": reason}
        if ticket_number is not None:
            payload["ticket_number"] = ticket_number
        body = self._request("POST", "/v1/alerts", json_body=payload, idempotency_key=idempotency_key, retries=1,
                             purpose="call_staff")
        return StaffAlert(alert_id=int(body["id"]), reason=body["reason"],
                          created_at=datetime.fromisoformat(body["created_at"]))

    # Maintenance mode and fleet (kiosk/maintenance). ---------------------------------------------

    def maintenance_credentials(self) -> list[StaffCredential]:
        """This kiosk's maintenance PINs (argon2id hashes) with each staff member's role, for its offline cache."""
        body = self._request("GET", "/v1/kiosk/maintenance-credentials", background=True)
        kiosk_id = self._session.auth.kiosk_id  # type: ignore[union-attr]
        if body.get("kiosk_id") != kiosk_id:  # another kiosk's PINs must never open this one
            raise ServerError(200, f"maintenance credentials for {body.get('kiosk_id')!r}, not {kiosk_id!r}")
        return [StaffCredential(staff_id=s["staff_id"], role=s["role"], pin_hash=s["pin_hash"])
                for s in body["staff"]]

    def send_heartbeat(self, state: KioskState) -> None:
        """Report this kiosk's state to the fleet page (a resend is harmless: the latest state wins)."""
        sent = datetime.now(UTC)
        try:
            body = self._request("POST", "/v1/kiosk/heartbeat", json_body=state.to_json(), background=True)
        except StaleRequestError:
            # Refused for the clock itself: measure by how much, for the warning and diagnostics.
            self.check_clock()
            raise
        # The answer's received_at is the server's clock: each heartbeat re-checks the skew.
        if isinstance(body.get("received_at"), str):
            self.clock.update(measure(sent_at=sent, received_at=datetime.now(UTC),
                                      server_time=datetime.fromisoformat(body["received_at"]),
                                      window_s=self.clock.window_s))

    def record_staff_action(self, event: StaffEvent) -> None:
        """Append a staff action at this kiosk to the server's audit log (the event id is the idempotency key)."""
        payload = {"staff_id": event.staff_id, "action": event.action, "outcome": event.outcome,
                   "at": event.at.isoformat(), "detail": dict(event.detail)}
        self._request("POST", "/v1/kiosk/audit", json_body=payload, idempotency_key=event.event_id, background=True)

    def record_outcome(self, outcome: dict[str, Any], *, idempotency_key: str) -> None:
        """Count one patron session's outcome in the server's statistics (kiosk/statistics.py builds it)."""
        self._request("POST", "/v1/kiosk/outcomes", json_body=outcome, idempotency_key=idempotency_key,
                      background=True)


# A 2xx answer with missing or mistyped fields (a broken proxy, a wrong server) must be a typed
# ServerError like any other bad answer: the flow runner drops untyped exceptions, and the patron's
# screen would wait until the idle wipe. Wrapped here, after the class, so each method stays plain.
_ANSWER_READERS = ("check_clock", "card_expiry", "migration_challenge", "submit_migration", "expiry_by_mynumber",
                   "card_checkup", "ticket_services", "issue_ticket", "mark_ticket_printed", "call_staff",
                   "maintenance_credentials", "send_heartbeat", "renewal_proof", "renewal_compare",
                   "renewal_request")


def _typed_answer_errors(method: Any) -> Any:
    import functools
    import inspect

    from kiosk.api.errors import KioskApiError

    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signature.bind(*args, **kwargs)  # a caller's wrong arguments stay a TypeError
        try:
            return method(*args, **kwargs)
        except KioskApiError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            raise ServerError(200, f"unexpected answer from the server ({type(error).__name__}: {error})") from error

    return wrapper


for _name in _ANSWER_READERS:
    setattr(KioskApiClient, _name, _typed_answer_errors(getattr(KioskApiClient, _name)))
