"""KioskApiClient: the central API as the kiosk uses it, one method per endpoint.

Each method builds its request and names the answer's shape (kiosk/api/wire.py); the transport
(kiosk/api/transport.py) signs, sends, decodes errors and reads the answer, so every method has the
typed errors by construction. The privacy ledger is a request hook of the transport, and the clock
comparison is kiosk/timecheck.py's ClockWatch, fed by the answers that carry the server's time.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from kiosk.api.errors import ServerError, StaleRequestError
from kiosk.api.transport import Outgoing, Transport
from kiosk.api.wire import (
    Accepted,
    AcceptedIds,
    ApplicationReceipt,
    CardCheckup,
    CardExpiry,
    HeartbeatReceipt,
    IssuedTicket,
    KioskState,
    MaintenanceCredentials,
    MigrationChallenge,
    MigrationOutcome,
    RenewalAnswer,
    RenewalProof,
    ServerClock,
    StaffAlert,
    StaffCredential,
    StaffEvent,
    TicketPrinted,
    TicketServices,
)
from kiosk.disclosure import DisclosureLedger
from kiosk.timecheck import ClockCheck, ClockWatch


def record_patron_request(ledger: DisclosureLedger) -> Callable[[Outgoing], None]:
    """A request hook that lists each patron request's field names in ``ledger`` (kiosk/disclosure.py).

    Recorded before sending: a request that fails on the way may still have reached the server.
    Background requests carry no patron data and opt out by saying so."""

    def record(outgoing: Outgoing) -> None:
        if not outgoing.background:
            ledger.record(outgoing.purpose, outgoing.fields, datetime.now(UTC))

    return record


def _signed(certificate_der: bytes, signature: bytes) -> dict[str, str]:
    """The card's answer to a challenge: its certificate and its signature, base64."""
    return {"certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode()}


def _renewal_body(card_number: str, name: str, address: str, birth_date: date, proof: str) -> dict[str, str]:
    return {"card_number": card_number, "name": name, "address": address, "birth_date": birth_date.isoformat(),
            "proof": proof}


class KioskApiClient:
    """The central API as the kiosk uses it. Thread-safe enough for one worker thread per call."""

    def __init__(
        self, base_url: str, kiosk_id: str, secret: str, timeout: float = 8.0, *, ca_file: str | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self._transport = Transport(base_url, kiosk_id, secret, timeout, ca_file=ca_file,
                                    clock_offset_s=clock_offset_s)
        # The latest clock comparison with the server (from /health/clock and each heartbeat's answer).
        self.clock = ClockWatch()
        # What this patron session sent (the privacy slip); the app clears it when the session ends.
        self.disclosures = DisclosureLedger()
        self._transport.add_request_hook(record_patron_request(self.disclosures))

    @property
    def base_url(self) -> str:
        """The server's address; one place, the transport's, so that changing it changes every call."""
        return self._transport.base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        self._transport.base_url = url.rstrip("/")

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    def health(self) -> dict[str, Any]:
        """GET /health."""
        return self._transport.call("GET", "/health", dict, background=True)

    def check_clock(self) -> ClockCheck:
        """Compare this kiosk's clock with the server's (/health/clock time, half the round trip allowed for)."""
        sent = datetime.now(UTC)
        server = self._transport.call("GET", "/health/clock", ServerClock.from_json, background=True)
        return self.clock.observe(sent_at=sent, received_at=datetime.now(UTC), server_time=server.time,
                                  window_s=server.auth_window_s)

    def card_expiry(self, card_number: str) -> CardExpiry:
        """Expiry of a library card by its number."""
        return self._transport.call("GET", f"/v1/cards/{card_number}/expiry", CardExpiry.from_json,
                                    purpose="expiry", path_fields=("card_number",))

    def migration_challenge(self, *, idempotency_key: str | None = None) -> MigrationChallenge:
        """A single-use challenge (also used before an expiry check by My Number card)."""
        return self._transport.call(
            "POST", "/v1/cards/challenges", MigrationChallenge.from_json, json_body={},
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="challenge",
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
        payload: dict[str, Any] = {"challenge_id": challenge_id, "card_number": card_number,
                                   **_signed(certificate_der, signature)}
        if birth_date is not None:
            payload["birth_date"] = birth_date.isoformat()
        return self._transport.call(
            "POST", "/v1/migrations", MigrationOutcome.from_json, json_body=payload,
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="migration",
        )

    def expiry_by_mynumber(
        self, *, challenge_id: str, certificate_der: bytes, signature: bytes, idempotency_key: str | None = None
    ) -> CardExpiry:
        """Expiry of the library card linked to this My Number card (it signed the challenge)."""
        return self._transport.call(
            "POST", "/v1/cards/by-mynumber/expiry", CardExpiry.from_json,
            json_body={"challenge_id": challenge_id, **_signed(certificate_der, signature)},
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="expiry_by_card",
        )

    def card_checkup(
        self, *, challenge_id: str, certificate_der: bytes, signature: bytes, idempotency_key: str | None = None
    ) -> CardCheckup:
        """Link scheme and library card of this My Number card (it signed the challenge), with a reference."""
        return self._transport.call(
            "POST", "/v1/cards/by-mynumber/checkup", CardCheckup.from_json,
            json_body={"challenge_id": challenge_id, **_signed(certificate_der, signature)},
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="checkup",
        )

    def renewal_proof(self, *, card_number: str, challenge_id: str, certificate_der: bytes, signature: bytes,
                      idempotency_key: str | None = None) -> str:
        """The server's proof that this card signed for ``card_number`` (compares and the request need it)."""
        answer = self._transport.call(
            "POST", "/v1/renewals/proofs", RenewalProof.from_json,
            json_body={"card_number": card_number, "challenge_id": challenge_id,
                       **_signed(certificate_der, signature)},
            idempotency_key=idempotency_key or str(uuid.uuid4()), retries=1, purpose="renewal_proof",
        )
        return answer.proof

    def renewal_compare(self, card_number: str, name: str, address: str, birth_date: date, *,
                        proof: str) -> RenewalAnswer:
        """Compare the card's facts with the library's record (nothing stored)."""
        return self._transport.call("POST", "/v1/renewals/compare", RenewalAnswer.from_json,
                                    json_body=_renewal_body(card_number, name, address, birth_date, proof),
                                    purpose="renewal_compare")

    def renewal_request(self, card_number: str, name: str, address: str, birth_date: date, *, proof: str,
                        idempotency_key: str) -> RenewalAnswer:
        """Send the renewal request for the counter; the answer carries its reference code."""
        return self._transport.call("POST", "/v1/renewals", RenewalAnswer.from_json,
                                    json_body=_renewal_body(card_number, name, address, birth_date, proof),
                                    idempotency_key=idempotency_key, retries=1, purpose="renewal")

    def registration_accepted_ids(self) -> AcceptedIds:
        """The documents the counter accepts for a registration without a My Number card (nothing sent)."""
        return self._transport.call("GET", "/v1/registration/accepted-ids", AcceptedIds.from_json,
                                    purpose="registration_ids")

    def registration_apply(self, *, challenge_id: str, certificate_der: bytes, signature: bytes, name: str,
                           address: str, birth_date: date, sex: str, phone: str | None, email: str | None,
                           idempotency_key: str) -> ApplicationReceipt:
        """Send a registration application: the card's signature over a fresh challenge, what its 入力補助AP
        holds (never the 個人番号), and the phone number and/or e-mail the patron typed. Typed refusals:
        RegistrationContactError (the contact), RegistrationRefusedError (to the counter)."""
        payload: dict[str, Any] = {"challenge_id": challenge_id, **_signed(certificate_der, signature),
                                   "name": name, "address": address, "birth_date": birth_date.isoformat(),
                                   "sex": sex}
        if phone:
            payload["phone"] = phone
        if email:
            payload["email"] = email
        return self._transport.call("POST", "/v1/registration/applications", ApplicationReceipt.from_json,
                                    json_body=payload, idempotency_key=idempotency_key, retries=1,
                                    purpose="registration")

    def ticket_services(self) -> TicketServices:
        """The counter services for queue tickets, their queues, and whether the counter is open."""
        return self._transport.call("GET", "/v1/tickets/services", TicketServices.from_json,
                                    purpose="ticket_services")

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
        return self._transport.call("POST", "/v1/tickets", IssuedTicket.from_json, json_body=payload,
                                    idempotency_key=idempotency_key, retries=1, purpose="ticket")

    def mark_ticket_printed(self, ticket_id: str, *, idempotency_key: str, reprint: bool = False) -> TicketPrinted:
        """Tell the server the ticket came out of the printer (or was reprinted)."""
        return self._transport.call(
            "POST", f"/v1/tickets/{ticket_id}/printed", TicketPrinted.from_json, json_body={"reprint": reprint},
            idempotency_key=idempotency_key, retries=1, background=True,
        )

    def call_staff(self, reason: str, *, idempotency_key: str, ticket_number: str | None = None) -> StaffAlert:
        """Ask for a member of staff: the alert shows on the counter console until someone takes it."""
        payload: dict[str, Any] = {"reason": reason}
        if ticket_number is not None:
            payload["ticket_number"] = ticket_number
        return self._transport.call("POST", "/v1/alerts", StaffAlert.from_json, json_body=payload,
                                    idempotency_key=idempotency_key, retries=1, purpose="call_staff")

    # Maintenance mode and fleet (kiosk/maintenance). ---------------------------------------------

    def maintenance_credentials(self) -> list[StaffCredential]:
        """This kiosk's maintenance PINs (argon2id hashes) with each staff member's role, for its offline cache."""
        answer = self._transport.call("GET", "/v1/kiosk/maintenance-credentials", MaintenanceCredentials.from_json,
                                      background=True)
        kiosk_id = self._transport.kiosk_id
        if answer.kiosk_id != kiosk_id:  # another kiosk's PINs must never open this one
            raise ServerError(200, f"maintenance credentials for {answer.kiosk_id!r}, not {kiosk_id!r}")
        return list(answer.staff)

    def send_heartbeat(self, state: KioskState) -> None:
        """Report this kiosk's state to the fleet page (a resend is harmless: the latest state wins)."""
        sent = datetime.now(UTC)
        try:
            receipt = self._transport.call("POST", "/v1/kiosk/heartbeat", HeartbeatReceipt.from_json,
                                           json_body=state.to_json(), background=True)
        except StaleRequestError:
            # Refused for the clock itself: measure by how much, for the warning and diagnostics.
            self.check_clock()
            raise
        # The answer's received_at is the server's clock: each heartbeat re-checks the skew.
        if receipt.received_at is not None:
            self.clock.observe(sent_at=sent, received_at=datetime.now(UTC), server_time=receipt.received_at)

    def record_staff_action(self, event: StaffEvent) -> None:
        """Append a staff action at this kiosk to the server's audit log (the event id is the idempotency key)."""
        self._transport.call("POST", "/v1/kiosk/audit", Accepted.from_json, json_body=event.to_json(),
                             idempotency_key=event.event_id, background=True)

    def record_outcome(self, outcome: dict[str, Any], *, idempotency_key: str) -> None:
        """Count one patron session's outcome in the server's statistics (kiosk/statistics.py builds it)."""
        self._transport.call("POST", "/v1/kiosk/outcomes", Accepted.from_json, json_body=outcome,
                             idempotency_key=idempotency_key, background=True)
